package tests

import (
	"bufio"
	"context"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/scopekv/scope/internal/testdata"
	"github.com/scopekv/scope/model/chat"
	scope "github.com/scopekv/scope/runtime"
)

// startServe runs scope serve on a free loopback port and returns its base URL; the
// process is killed at the end of the test if it is still running.
func startServe(t *testing.T, args ...string) (*exec.Cmd, string, <-chan string) {
	t.Helper()
	cmd := exec.Command(scopeBin(t), append([]string{"serve", "--host", "127.0.0.1", "--port", "0"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		io.Copy(io.Discard, stderr)
	}()
	addr := regexp.MustCompile(`on (http://127\.0\.0\.1:\d+) `)
	timeout := time.After(30 * time.Second)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatal("scope serve exited before listening")
			}
			if m := addr.FindStringSubmatch(line); m != nil {
				return cmd, m[1], lines
			}
		case <-timeout:
			t.Fatal("scope serve did not start listening in 30 s")
		}
	}
}

// TestServeChatTemplateAndDrainOnSIGTERM runs the command: a chat request rendered with a
// built-in template answers what a session fed the same conversation answers, and SIGTERM
// lets a running stream finish before the process exits 0.
func TestServeChatTemplateAndDrainOnSIGTERM(t *testing.T) {
	model := testdata.Path(t, "gguf", "stories260K.gguf")
	cmd, url, _ := startServe(t, "-m", model, "--backend", "cpu", "-t", "1", "-c", "256", "--chat-template", "chatml")
	client := openai.NewClient(option.WithBaseURL(url+"/v1/"), option.WithAPIKey("none"), option.WithMaxRetries(0))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	msgs := []chat.Message{{Role: "system", Content: "Tell a story."}, {Role: "user", Content: "Once upon a time"}}
	res, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "stories260K",
		Messages:  []openai.ChatCompletionMessageParamUnion{openai.SystemMessage(msgs[0].Content), openai.UserMessage(msgs[1].Content)},
		MaxTokens: openai.Int(20), Temperature: openai.Float(0)})
	if err != nil {
		t.Fatal(err)
	}
	if want := chatAlone(t, model, msgs, 20); res.Choices[0].Message.Content != want {
		t.Errorf("chat answer %q, want %q", res.Choices[0].Message.Content, want)
	}

	stream := client.Completions.NewStreaming(ctx, openai.CompletionNewParams{Model: "stories260K",
		Prompt:    openai.CompletionNewParamsPromptUnion{OfString: openai.String("Once upon a time")},
		MaxTokens: openai.Int(150), Temperature: openai.Float(0)})
	var text strings.Builder
	finish, signalled := "", false
	for stream.Next() {
		for _, c := range stream.Current().Choices {
			text.WriteString(c.Text)
			if c.FinishReason != "" {
				finish = string(c.FinishReason)
			}
		}
		if !signalled {
			signalled = true
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := stream.Err(); err != nil || finish != "length" {
		t.Fatalf("the stream did not finish after SIGTERM: finish %q, err %v", finish, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("scope serve exited with %v after draining", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("scope serve did not exit 30 s after SIGTERM")
	}
}

// chatAlone answers the conversation in a session of its own.
func chatAlone(t *testing.T, path string, msgs []chat.Message, n int) string {
	t.Helper()
	m := openModel(t, "cpu", path)
	tmpl, err := chat.Builtin("chatml")
	if err != nil {
		t.Fatal(err)
	}
	f := m.File()
	prompt, err := tmpl.Render(msgs, chat.Options{BOS: f.BOSText(), EOS: f.EOSText(), AddGenerationPrompt: true})
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.NewSession(scope.SessionOptions{ContextLen: 256})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Continue(context.Background(), prompt, scope.GenerateOptions{MaxTokens: n})
	if err != nil {
		t.Fatal(err)
	}
	return res.Text
}
