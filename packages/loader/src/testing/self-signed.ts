// A self-signed certificate for 127.0.0.1, made once for the tests with
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 -subj '/CN=wasmhub test only' -addext subjectAltName=IP:127.0.0.1
// No client trusts it: tests use it to show that an untrusted certificate fails fast. Test-only; guards nothing.
export const TEST_ONLY_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgWhU59Xua02grvEgm
P8MY+IW+ZM1/finEnRTOK6CFBpShRANCAASfK0+nwV3FB3vq1TteNUZzOTwvRAtT
tXQDOYkya8hHcAysyVPP2N2hBaLG6FdRnJrpg3drEVcPHR30kFs21sDc
-----END PRIVATE KEY-----
`;
export const SELF_SIGNED_CERT = `-----BEGIN CERTIFICATE-----
MIIBoDCCAUagAwIBAgIULeWQmhUpk6/vDNzGzJ2R0p/QgF8wCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRd2FzbWh1YiB0ZXN0IG9ubHkwIBcNMjYxMjAxMDg1NjI1WhgP
MjEyNjExMDcwODU2MjVaMBwxGjAYBgNVBAMMEXdhc21odWIgdGVzdCBvbmx5MFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEnytPp8FdxQd76tU7XjVGczk8L0QLU7V0
AzmJMmvIR3AMrMlTz9jdoQWixuhXUZya6YN3axFXDx0d9JBbNtbA3KNkMGIwHQYD
VR0OBBYEFNMaec0F6eLbJnTcIq3Wwsg40CjfMB8GA1UdIwQYMBaAFNMaec0F6eLb
JnTcIq3Wwsg40CjfMA8GA1UdEwEB/wQFMAMBAf8wDwYDVR0RBAgwBocEfwAAATAK
BggqhkjOPQQDAgNIADBFAiEA68UELAx/OKf1q2EWKxn7YnrT95ksbqYNGXuVQB/G
HVgCIGJ4X7F3/+OxF53X4xzWZIzgpGMGl6vNVcBd7CMD8jQf
-----END CERTIFICATE-----
`;
