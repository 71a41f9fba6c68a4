package serve_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/scopekv/scope/engine"
)

func TestSDKCompletionMatchesSingleRun(t *testing.T) {
	f := newFixture(t, engine.Options{Parallel: 2})
	ctx := context.Background()
	res, err := f.client.Completions.New(ctx, greedyCompletion("Once upon a time", 40))
	if err != nil {
		t.Fatal(err)
	}
	want := singleRun(t, f.m, "Once upon a time", 40, nil)
	if len(res.Choices) != 1 || res.Choices[0].Text != want {
		t.Fatalf("got %+v\nwant text %q", res.Choices, want)
	}
	if c := res.Choices[0]; c.FinishReason != openai.CompletionChoiceFinishReasonLength {
		t.Errorf("finish reason %q", c.FinishReason)
	}
	if u := res.Usage; u.CompletionTokens != 40 || u.PromptTokens == 0 || u.TotalTokens != u.PromptTokens+40 {
		t.Errorf("usage %+v", u)
	}
	if res.Object != "text_completion" || res.Model != "stories" || res.ID == "" {
		t.Errorf("response %q %q %q", res.Object, res.Model, res.ID)
	}
}

func TestSDKCompletionStream(t *testing.T) {
	f := newFixture(t, engine.Options{Parallel: 2})
	p := greedyCompletion("The little dog", 30)
	p.StreamOptions.IncludeUsage = openai.Bool(true)
	stream := f.client.Completions.NewStreaming(context.Background(), p)
	var text strings.Builder
	var finish string
	var completion int64
	for stream.Next() {
		c := stream.Current()
		if c.Usage.CompletionTokens > 0 {
			completion = c.Usage.CompletionTokens
		}
		for _, ch := range c.Choices {
			text.WriteString(ch.Text)
			if ch.FinishReason != "" {
				finish = string(ch.FinishReason)
			}
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if want := singleRun(t, f.m, "The little dog", 30, nil); text.String() != want {
		t.Errorf("streamed %q\nwant     %q", text.String(), want)
	}
	if finish != "length" || completion != 30 {
		t.Errorf("finish %q, usage completion tokens %d", finish, completion)
	}
}

func TestSDKStopStrings(t *testing.T) {
	f := newFixture(t, engine.Options{Parallel: 2})
	full := singleRun(t, f.m, "Once upon a time", 60, nil)
	// Stop at the second word boundary of the reference text.
	i := strings.Index(full[1:], " ") + 1
	j := strings.Index(full[i+1:], " ") + i + 1
	stop := full[i:min(j+3, len(full))]
	want := full[:i]
	p := greedyCompletion("Once upon a time", 60)
	p.Stop = openai.CompletionNewParamsStopUnion{OfStringArray: []string{"NEVER", stop}}
	res, err := f.client.Completions.New(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Choices[0]; got.Text != want || got.FinishReason != openai.CompletionChoiceFinishReasonStop {
		t.Errorf("stop %q: got %q (%s), want %q", stop, got.Text, got.FinishReason, want)
	}
	stream := f.client.Completions.NewStreaming(context.Background(), p)
	var text strings.Builder
	for stream.Next() {
		for _, ch := range stream.Current().Choices {
			text.WriteString(ch.Text)
		}
	}
	if err := stream.Err(); err != nil || text.String() != want {
		t.Errorf("streamed with stop: %q (%v), want %q", text.String(), err, want)
	}
}

func TestSDKChat(t *testing.T) {
	f := newFixture(t, engine.Options{Parallel: 2})
	p := openai.ChatCompletionNewParams{
		Model:       "stories",
		Messages:    []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Once upon a time")},
		MaxTokens:   openai.Int(25),
		Temperature: openai.Float(0),
	}
	res, err := f.client.Chat.Completions.New(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	want := res.Choices[0].Message.Content
	if want == "" || res.Choices[0].Message.Role != "assistant" || res.Object != "chat.completion" || res.Usage.CompletionTokens != 25 {
		t.Fatalf("chat response %+v", res)
	}
	stream := f.client.Chat.Completions.NewStreaming(context.Background(), p)
	var text strings.Builder
	var role string
	for stream.Next() {
		for _, ch := range stream.Current().Choices {
			text.WriteString(ch.Delta.Content)
			if ch.Delta.Role != "" {
				role = ch.Delta.Role
			}
		}
	}
	if err := stream.Err(); err != nil || text.String() != want || role != "assistant" {
		t.Errorf("streamed chat %q role %q (%v), want %q", text.String(), role, err, want)
	}
}

func TestSDKCancelMidStreamFreesMemory(t *testing.T) {
	f := newFixture(t, engine.Options{Parallel: 2})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream := f.client.Completions.NewStreaming(ctx, greedyCompletion("Once upon a time", 200))
	chunks := 0
	for stream.Next() {
		if chunks++; chunks == 3 {
			if f.eng.Stats().KVInUse == 0 {
				t.Error("a streaming request holds no KV memory")
			}
			cancel()
			break
		}
	}
	stream.Close()
	if chunks < 3 {
		t.Fatalf("only %d chunks before the end: %v", chunks, stream.Err())
	}
	waitIdle(t, f.eng)
	if s := f.eng.Stats(); s.GeneratedTokens >= 199 {
		t.Errorf("the cancelled request ran to the end: %+v", s)
	}
}

func TestSDKErrorsAreOpenAIErrors(t *testing.T) {
	f := newFixture(t, engine.Options{Parallel: 2})
	_, err := f.client.Completions.New(context.Background(), greedyCompletion("Once upon a time", 1_000_000_000))
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Type != "invalid_request_error" || apiErr.Message == "" {
		t.Fatalf("max_tokens 1e9: %v", err)
	}
}
