package serve_test

import (
	"context"
	"fmt"
	"log"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// Example_sdk is the README's client example: a completion from `scope serve -m
// model.gguf` with the official OpenAI Go SDK, with its own KV policy. (Compiled, not run:
// it needs a server.)
func Example_sdk() {
	ctx := context.Background()
	// README example begins
	client := openai.NewClient(option.WithBaseURL("http://127.0.0.1:8080/v1/"), option.WithAPIKey("none"))
	res, err := client.Completions.New(ctx, openai.CompletionNewParams{
		Model:     "model", // the file name without .gguf, or --alias
		Prompt:    openai.CompletionNewParamsPromptUnion{OfString: openai.String("Once upon a time")},
		MaxTokens: openai.Int(64),
	}, option.WithJSONSet("kv", map[string]any{"decode": "slide", "decode_budget": 128, "recent": 64}))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Choices[0].Text)
	// README example ends
}
