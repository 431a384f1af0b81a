package schema

// The generated Go is committed; this reproduces it with protoc (Debian's
// protobuf-compiler) and the plugin versions pinned in go.mod's tool block.
//go:generate protoc --plugin=protoc-gen-go=../scripts/protoc-gen-go --plugin=protoc-gen-go-grpc=../scripts/protoc-gen-go-grpc --go_out=extpb --go_opt=paths=source_relative --go-grpc_out=extpb --go-grpc_opt=paths=source_relative extension.proto
