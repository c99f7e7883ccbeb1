module github.com/acmexport/acmexport

go 1.26.0

require (
	github.com/aws/smithy-go v1.28.9
	github.com/google/go-cmp v0.7.0
	github.com/google/uuid v1.6.0
	github.com/youmark/pkcs8 v0.0.0-20240726163527-a2c0da244d78
)

require golang.org/x/crypto v0.59.0 // indirect
