// Empty on purpose: an assembly file in the package lets the Go files declare
// functions without bodies (see linkname_test.go).
