//! The `eval` command: a recursive-descent evaluator. The Go runtime
//! (runtimes/go/eval.go) implements the same rules; any change here must be made
//! there too, and runtimes/conformance.json pins the behaviour.
//!
//! Grammar (whitespace = space, tab, CR, LF between tokens is ignored):
//!
//! ```text
//! expr    = term { ("+" | "-") term }
//! term    = unary { ("*" | "/" | "%") unary }
//! unary   = "-" unary | primary
//! primary = number | "(" expr ")"
//! number  = digit { digit } [ "." digit { digit } ]
//! ```
//!
//! The whole input is tokenized first, then parsed; a syntax error wins over an
//! evaluation error, and of several evaluation errors the first one met in
//! left-to-right evaluation order is reported. Positions are 1-based byte offsets.
//!
//! Values are 64-bit signed integers or IEEE-754 doubles. A literal without a "."
//! is an integer, one with a "." is a double. Integer + - * and unary minus are
//! exact ("integer overflow" otherwise); integer / gives an integer when the division
//! is exact, else the double quotient of the two operands converted to double;
//! integer % truncates (the sign follows the dividend). If either operand is a
//! double, both are converted and the double operation is used (% is fmod). A
//! divisor equal to zero gives "division by zero"; a non-finite double gives
//! "number out of range".
//!
//! Output: an integer in decimal; zero (including -0) as "0"; any other double as
//! the shortest correctly rounded decimal that reads back to the same double, written
//! without exponent and without trailing zeros: for p = 1, 2, ... 17, the exact decimal
//! value of the double is rounded to p significant digits (ties to even) and the first
//! p that parses back to the same double wins. (Go's and Rust's own shortest formatters
//! break exact ties differently, e.g. 1824991838310593.25, so both runtimes use this rule.)

use std::fmt;

const MAX_DEPTH: usize = 256;

const ERR_END: &str = "syntax error: unexpected end of input";
const ERR_OVERFLOW: &str = "integer overflow";
const ERR_DIV_ZERO: &str = "division by zero";
const ERR_RANGE: &str = "number out of range";
const ERR_DEPTH: &str = "expression too deeply nested";

#[derive(Clone, Copy)]
struct Token<'a> {
    /// "+", "-", "*", "/", "%", "(", ")" or a number literal.
    text: &'a [u8],
    /// 1-based byte offset.
    pos: usize,
    num: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    Float(f64),
}

impl Value {
    fn float(self) -> f64 {
        match self {
            Value::Int(i) => i as f64,
            Value::Float(f) => f,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => f.write_str(&format_float(x)),
        }
    }
}

/// Implements the output rule above; see formatFloat in eval.go.
fn format_float(f: f64) -> String {
    if f == 0.0 {
        return "0".to_string();
    }
    let (sign, f) = if f < 0.0 { ("-", -f) } else { ("", f) };
    // The exact decimal value: a double has at most 767 significant digits.
    let exact = format!("{f:.800e}"); // d.ddd…e[-]X
    let (mantissa, exponent) = exact.split_once('e').unwrap_or((&exact, "0"));
    let digits: Vec<u8> = mantissa.bytes().filter(|c| c.is_ascii_digit()).collect();
    let exp: i32 = exponent.parse().unwrap_or(0);
    for p in 1..digits.len() {
        let (d, x) = round_digits(&digits, p, exp);
        let sci = format!(
            "{}.{}e{}",
            d[0] as char,
            std::str::from_utf8(&d[1..]).unwrap_or(""),
            x
        );
        if sci.parse::<f64>() == Ok(f) {
            let mut d = d;
            while d.len() > 1 && d[d.len() - 1] == b'0' {
                d.pop();
            }
            return format!("{sign}{}", plain_decimal(&d, x));
        }
    }
    format!("{sign}{f}") // not reached: 17 digits always read back
}

/// Rounds the significand digits (value d.ddd × 10^exp) to p digits, ties to even;
/// returns p digits and the (possibly incremented) exponent.
fn round_digits(digits: &[u8], p: usize, exp: i32) -> (Vec<u8>, i32) {
    let mut head = digits[..p].to_vec();
    let rest = &digits[p..];
    let up = match rest[0] {
        b'6'..=b'9' => true,
        b'5' => rest[1..].iter().any(|&c| c != b'0') || (head[p - 1] - b'0') % 2 == 1,
        _ => false,
    };
    let mut exp = exp;
    if up {
        let mut i = p;
        while i > 0 && head[i - 1] == b'9' {
            head[i - 1] = b'0';
            i -= 1;
        }
        if i > 0 {
            head[i - 1] += 1;
        } else {
            head.insert(0, b'1');
            head.truncate(p);
            exp += 1;
        }
    }
    (head, exp)
}

/// Writes d.ddd × 10^exp without exponent (d has no trailing zeros).
fn plain_decimal(d: &[u8], exp: i32) -> String {
    let d = std::str::from_utf8(d).unwrap_or("0");
    if exp < 0 {
        return format!("0.{}{d}", "0".repeat((-exp - 1) as usize));
    }
    let int_len = exp as usize + 1;
    if d.len() <= int_len {
        format!("{d}{}", "0".repeat(int_len - d.len()))
    } else {
        format!("{}.{}", &d[..int_len], &d[int_len..])
    }
}

fn describe_byte(c: u8) -> String {
    if (0x21..=0x7e).contains(&c) {
        format!("'{}'", c as char)
    } else {
        format!("byte 0x{c:02x}")
    }
}

fn unexpected(what: &str, pos: usize) -> String {
    format!("syntax error: unexpected {what} at position {pos}")
}

fn quote(text: &[u8]) -> String {
    // Tokens are ASCII.
    format!("'{}'", String::from_utf8_lossy(text))
}

fn tokenize(s: &[u8]) -> Result<Vec<Token<'_>>, String> {
    let mut toks = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'+' | b'-' | b'*' | b'/' | b'%' | b'(' | b')' => {
                toks.push(Token {
                    text: &s[i..i + 1],
                    pos: i + 1,
                    num: false,
                });
                i += 1;
            }
            b'0'..=b'9' => {
                let start = i;
                while i < s.len() && s[i].is_ascii_digit() {
                    i += 1;
                }
                if i + 1 < s.len() && s[i] == b'.' && s[i + 1].is_ascii_digit() {
                    i += 1;
                    while i < s.len() && s[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                toks.push(Token {
                    text: &s[start..i],
                    pos: start + 1,
                    num: true,
                });
            }
            _ => return Err(unexpected(&describe_byte(c), i + 1)),
        }
    }
    Ok(toks)
}

struct Parser<'a> {
    toks: Vec<Token<'a>>,
    next: usize,
    depth: usize,
    /// First evaluation error, reported if parsing succeeds.
    eval_err: Option<&'static str>,
}

/// Evaluates `input`; the error is the message without "eval: ".
pub fn evaluate(input: &[u8]) -> Result<Value, String> {
    let toks = tokenize(input)?;
    let mut p = Parser {
        toks,
        next: 0,
        depth: 0,
        eval_err: None,
    };
    let v = p.expr()?;
    if let Some(t) = p.peek() {
        return Err(unexpected(&quote(t.text), t.pos));
    }
    if let Some(e) = p.eval_err {
        return Err(e.to_string());
    }
    Ok(v)
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<Token<'a>> {
        self.toks.get(self.next).copied()
    }

    fn is_op(t: &Token<'_>, ops: &[u8]) -> bool {
        !t.num && ops.contains(&t.text[0])
    }

    /// A sum: terms joined by + and -.
    fn expr(&mut self) -> Result<Value, String> {
        self.binary(b"+-", Self::term)
    }

    /// A product: unary operands joined by *, / and %.
    fn term(&mut self) -> Result<Value, String> {
        self.binary(b"*/%", Self::unary)
    }

    /// Operands joined by the one-byte operators in `ops`, left to right.
    fn binary(
        &mut self,
        ops: &[u8],
        operand: fn(&mut Self) -> Result<Value, String>,
    ) -> Result<Value, String> {
        let mut left = operand(self)?;
        while let Some(t) = self.peek() {
            if !Self::is_op(&t, ops) {
                break;
            }
            self.next += 1;
            let right = operand(self)?;
            left = self.apply(t.text[0], left, right);
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Value, String> {
        let t = self.peek().ok_or_else(|| ERR_END.to_string())?;
        if t.num || t.text != b"-" {
            return self.primary();
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ERR_DEPTH.to_string());
        }
        self.next += 1;
        let v = self.unary()?;
        self.depth -= 1;
        Ok(self.negate(v))
    }

    fn primary(&mut self) -> Result<Value, String> {
        let t = self.peek().ok_or_else(|| ERR_END.to_string())?;
        self.next += 1;
        if t.num {
            return Ok(self.literal(t.text));
        }
        if t.text != b"(" {
            return Err(unexpected(&quote(t.text), t.pos));
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ERR_DEPTH.to_string());
        }
        let v = self.expr()?;
        self.depth -= 1;
        let c = self.peek().ok_or_else(|| ERR_END.to_string())?;
        if c.num || c.text != b")" {
            return Err(unexpected(&quote(c.text), c.pos));
        }
        self.next += 1;
        Ok(v)
    }

    /// Records the first evaluation error; later ones are ignored.
    fn fault(&mut self, msg: &'static str) -> Value {
        if self.eval_err.is_none() {
            self.eval_err = Some(msg);
        }
        Value::Int(0)
    }

    fn literal(&mut self, text: &[u8]) -> Value {
        // The lexer guarantees the syntax (ASCII digits with at most one ".").
        let s = std::str::from_utf8(text).unwrap_or("0");
        if text.contains(&b'.') {
            let f = s.parse::<f64>().unwrap_or(f64::INFINITY);
            return self.check_float(f);
        }
        match s.parse::<i64>() {
            Ok(n) => Value::Int(n),
            Err(_) => self.fault(ERR_OVERFLOW),
        }
    }

    fn check_float(&mut self, f: f64) -> Value {
        if f.is_finite() {
            Value::Float(f)
        } else {
            self.fault(ERR_RANGE)
        }
    }

    fn negate(&mut self, v: Value) -> Value {
        if self.eval_err.is_some() {
            return Value::Int(0);
        }
        match v {
            Value::Float(f) => Value::Float(-f),
            Value::Int(i) => match i.checked_neg() {
                Some(n) => Value::Int(n),
                None => self.fault(ERR_OVERFLOW),
            },
        }
    }

    fn apply(&mut self, op: u8, a: Value, b: Value) -> Value {
        if self.eval_err.is_some() {
            return Value::Int(0);
        }
        let (x, y) = match (a, b) {
            (Value::Int(x), Value::Int(y)) => (x, y),
            _ => {
                let (x, y) = (a.float(), b.float());
                let r = match op {
                    b'+' => x + y,
                    b'-' => x - y,
                    b'*' => x * y,
                    _ if y == 0.0 => return self.fault(ERR_DIV_ZERO),
                    b'/' => x / y,
                    _ => x % y,
                };
                return self.check_float(r);
            }
        };
        let r = match op {
            b'+' => x.checked_add(y),
            b'-' => x.checked_sub(y),
            b'*' => x.checked_mul(y),
            _ if y == 0 => return self.fault(ERR_DIV_ZERO),
            b'/' => match x.checked_rem(y) {
                None => None,
                Some(0) => x.checked_div(y),
                Some(_) => return self.check_float(x as f64 / y as f64),
            },
            _ => Some(x.wrapping_rem(y)),
        };
        match r {
            Some(n) => Value::Int(n),
            None => self.fault(ERR_OVERFLOW),
        }
    }
}
