package main

import (
	"math"
	"strconv"
	"strings"
)

// The `eval` command: a recursive-descent evaluator. The Rust runtime
// (runtimes/rust/src/eval.rs) implements the same rules; any change here must
// be made there too, and runtimes/conformance.json pins the behaviour.
//
// Grammar (whitespace = space, tab, CR, LF between tokens is ignored):
//
//	expr    = term { ("+" | "-") term }
//	term    = unary { ("*" | "/" | "%") unary }
//	unary   = "-" unary | primary
//	primary = number | "(" expr ")"
//	number  = digit { digit } [ "." digit { digit } ]
//
// The whole input is tokenized first, then parsed; a syntax error wins over an
// evaluation error, and of several evaluation errors the first one met in
// left-to-right evaluation order is reported. Positions are 1-based byte offsets.
//
// Values are 64-bit signed integers or IEEE-754 doubles. A literal without a
// "." is an integer, one with a "." is a double. Integer + - * and unary minus
// are exact ("integer overflow" otherwise); integer / gives an integer when the
// division is exact, else the double quotient of the two operands converted to
// double; integer % truncates (the sign follows the dividend). If either operand
// is a double, both are converted and the double operation is used (% is fmod).
// A divisor equal to zero gives "division by zero"; a non-finite double gives
// "number out of range".
//
// Output: an integer in decimal; zero (including -0) as "0"; any other double
// as the shortest correctly rounded decimal that reads back to the same double,
// written without exponent and without trailing zeros: for p = 1, 2, ... 17,
// the exact decimal value of the double is rounded to p significant digits
// (ties to even) and the first p that parses back to the same double wins.
// (Go's and Rust's own shortest formatters break exact ties differently, e.g.
// 1824991838310593.25, so both runtimes use this rule instead.)

const maxDepth = 256

const (
	errEnd      = "syntax error: unexpected end of input"
	errOverflow = "integer overflow"
	errDivZero  = "division by zero"
	errRange    = "number out of range"
	errDepth    = "expression too deeply nested"
)

type token struct {
	text string // "+", "-", "*", "/", "%", "(", ")" or a number literal
	pos  int    // 1-based byte offset
	num  bool
}

type value struct {
	isFloat bool
	i       int64
	f       float64
}

func (v value) float() float64 {
	if v.isFloat {
		return v.f
	}
	return float64(v.i)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func describeByte(c byte) string {
	if c >= 0x21 && c <= 0x7e {
		return "'" + string(rune(c)) + "'"
	}
	const hex = "0123456789abcdef"
	return "byte 0x" + string([]byte{hex[c>>4], hex[c&15]})
}

func unexpected(what string, pos int) string {
	return "syntax error: unexpected " + what + " at position " + strconv.Itoa(pos)
}

func tokenize(s string) ([]token, string) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '+' || c == '-' || c == '*' || c == '/' || c == '%' || c == '(' || c == ')':
			toks = append(toks, token{text: s[i : i+1], pos: i + 1})
			i++
		case isDigit(c):
			start := i
			for i < len(s) && isDigit(s[i]) {
				i++
			}
			if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
				i++
				for i < len(s) && isDigit(s[i]) {
					i++
				}
			}
			toks = append(toks, token{text: s[start:i], pos: start + 1, num: true})
		default:
			return nil, unexpected(describeByte(c), i+1)
		}
	}
	return toks, ""
}

type parser struct {
	toks    []token
	next    int
	depth   int
	evalErr string // first evaluation error, reported if parsing succeeds
}

func (p *parser) peek() (token, bool) {
	if p.next < len(p.toks) {
		return p.toks[p.next], true
	}
	return token{}, false
}

// evaluate returns the printed result, or an error message (without "eval: ").
func evaluate(input string) (string, string) {
	toks, err := tokenize(input)
	if err != "" {
		return "", err
	}
	p := &parser{toks: toks}
	v, err := p.expr()
	if err != "" {
		return "", err
	}
	if t, ok := p.peek(); ok {
		return "", unexpected("'"+t.text+"'", t.pos)
	}
	if p.evalErr != "" {
		return "", p.evalErr
	}
	return format(v), ""
}

func format(v value) string {
	if !v.isFloat {
		return strconv.FormatInt(v.i, 10)
	}
	return formatFloat(v.f)
}

// formatFloat implements the output rule above; see formatFloat in eval.rs.
func formatFloat(f float64) string {
	if f == 0 {
		return "0"
	}
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	// The exact decimal value: a double has at most 767 significant digits.
	exact := strconv.FormatFloat(f, 'e', 800, 64) // d.ddd…e±XX
	e := strings.IndexByte(exact, 'e')
	digits := exact[:1] + exact[2:e]
	exp, _ := strconv.Atoi(exact[e+1:])
	for p := 1; p < len(digits); p++ {
		d, x := roundDigits(digits, p, exp)
		sci := d[:1] + "." + d[1:] + "e" + strconv.Itoa(x)
		if back, err := strconv.ParseFloat(sci, 64); err == nil && back == f {
			return sign + plainDecimal(strings.TrimRight(d, "0"), x)
		}
	}
	return sign + strconv.FormatFloat(f, 'f', -1, 64) // not reached: 17 digits always read back
}

// roundDigits rounds the significand digits (value d.ddd × 10^exp) to p digits,
// ties to even; returns p digits and the (possibly incremented) exponent.
func roundDigits(digits string, p, exp int) (string, int) {
	head := []byte(digits[:p])
	rest := digits[p:]
	up := false
	switch {
	case rest[0] > '5':
		up = true
	case rest[0] == '5':
		up = strings.TrimRight(rest[1:], "0") != "" || (head[p-1]-'0')%2 == 1
	}
	if up {
		i := p - 1
		for ; i >= 0 && head[i] == '9'; i-- {
			head[i] = '0'
		}
		if i >= 0 {
			head[i]++
		} else {
			head = append([]byte{'1'}, head[:p-1]...)
			exp++
		}
	}
	return string(head), exp
}

// plainDecimal writes d.ddd × 10^exp without exponent (d has no trailing zeros).
func plainDecimal(d string, exp int) string {
	if exp < 0 {
		return "0." + strings.Repeat("0", -exp-1) + d
	}
	if len(d) <= exp+1 {
		return d + strings.Repeat("0", exp+1-len(d))
	}
	return d[:exp+1] + "." + d[exp+1:]
}

// expr parses a sum: terms joined by + and -.
func (p *parser) expr() (value, string) { return p.binary("+-", p.term) }

// term parses a product: unary operands joined by *, / and %.
func (p *parser) term() (value, string) { return p.binary("*/%", p.unary) }

// binary parses operands joined by the one-byte operators in ops, left to right.
func (p *parser) binary(ops string, operand func() (value, string)) (value, string) {
	left, err := operand()
	if err != "" {
		return value{}, err
	}
	for {
		t, ok := p.peek()
		if !ok || t.num || len(t.text) != 1 || !strings.Contains(ops, t.text) {
			return left, ""
		}
		p.next++
		right, err := operand()
		if err != "" {
			return value{}, err
		}
		left = p.apply(t.text[0], left, right)
	}
}

func (p *parser) unary() (value, string) {
	t, ok := p.peek()
	if !ok {
		return value{}, errEnd
	}
	if t.num || t.text != "-" {
		return p.primary()
	}
	p.depth++
	if p.depth > maxDepth {
		return value{}, errDepth
	}
	p.next++
	v, err := p.unary()
	p.depth--
	if err != "" {
		return value{}, err
	}
	return p.negate(v), ""
}

func (p *parser) primary() (value, string) {
	t, ok := p.peek()
	if !ok {
		return value{}, errEnd
	}
	p.next++
	if t.num {
		return p.literal(t.text), ""
	}
	if t.text != "(" {
		return value{}, unexpected("'"+t.text+"'", t.pos)
	}
	p.depth++
	if p.depth > maxDepth {
		return value{}, errDepth
	}
	v, err := p.expr()
	p.depth--
	if err != "" {
		return value{}, err
	}
	c, ok := p.peek()
	if !ok {
		return value{}, errEnd
	}
	if c.num || c.text != ")" {
		return value{}, unexpected("'"+c.text+"'", c.pos)
	}
	p.next++
	return v, ""
}

// fault records the first evaluation error; later ones are ignored.
func (p *parser) fault(msg string) value {
	if p.evalErr == "" {
		p.evalErr = msg
	}
	return value{}
}

func (p *parser) literal(text string) value {
	for i := 0; i < len(text); i++ {
		if text[i] == '.' {
			f, _ := strconv.ParseFloat(text, 64) // the lexer guarantees the syntax
			return p.checkFloat(f)
		}
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return p.fault(errOverflow)
	}
	return value{i: n}
}

func (p *parser) checkFloat(f float64) value {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return p.fault(errRange)
	}
	return value{isFloat: true, f: f}
}

func (p *parser) negate(v value) value {
	if p.evalErr != "" {
		return value{}
	}
	if v.isFloat {
		return value{isFloat: true, f: -v.f}
	}
	if v.i == math.MinInt64 {
		return p.fault(errOverflow)
	}
	return value{i: -v.i}
}

func (p *parser) apply(op byte, a, b value) value {
	if p.evalErr != "" {
		return value{}
	}
	if a.isFloat || b.isFloat {
		x, y := a.float(), b.float()
		switch op {
		case '+':
			return p.checkFloat(x + y)
		case '-':
			return p.checkFloat(x - y)
		case '*':
			return p.checkFloat(x * y)
		case '/':
			if y == 0 {
				return p.fault(errDivZero)
			}
			return p.checkFloat(x / y)
		default:
			if y == 0 {
				return p.fault(errDivZero)
			}
			return p.checkFloat(math.Mod(x, y))
		}
	}
	x, y := a.i, b.i
	switch op {
	case '+':
		if (y > 0 && x > math.MaxInt64-y) || (y < 0 && x < math.MinInt64-y) {
			return p.fault(errOverflow)
		}
		return value{i: x + y}
	case '-':
		if (y < 0 && x > math.MaxInt64+y) || (y > 0 && x < math.MinInt64+y) {
			return p.fault(errOverflow)
		}
		return value{i: x - y}
	case '*':
		if x == 0 || y == 0 {
			return value{}
		}
		if (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64) {
			return p.fault(errOverflow)
		}
		r := x * y
		if r/y != x {
			return p.fault(errOverflow)
		}
		return value{i: r}
	case '/':
		if y == 0 {
			return p.fault(errDivZero)
		}
		if x == math.MinInt64 && y == -1 {
			return p.fault(errOverflow)
		}
		if x%y == 0 {
			return value{i: x / y}
		}
		return p.checkFloat(float64(x) / float64(y))
	default:
		if y == 0 {
			return p.fault(errDivZero)
		}
		if y == -1 {
			return value{}
		}
		return value{i: x % y}
	}
}
