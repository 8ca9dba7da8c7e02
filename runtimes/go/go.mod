module github.com/wasmhub/wasmhub/runtimes/go

go 1.21
