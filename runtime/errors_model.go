package runtime

import "github.com/scopekv/scope/model"

// ErrMalformed is wrapped by Open's errors about a model file's content (a corrupt or
// inconsistent GGUF or llama2.c file, an invalid vocabulary), as opposed to I/O errors and
// ErrUnsupported.
var ErrMalformed = model.ErrMalformed
