package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"

	"github.com/scopekv/scope/model/chat"
	scope "github.com/scopekv/scope/runtime"
	kvpolicy "github.com/scopekv/scope/scope"
)

// chatFlags are scope chat's flags (generate -cnv takes the same).
type chatFlags struct {
	mf       modelFlags
	kf       kvFlags
	template string
	system   string
	samplingFlags
	noStats bool
}

func (f *chatFlags) register(fs *flag.FlagSet) {
	f.mf.register(fs)
	f.kf.register(fs)
	fs.StringVar(&f.template, "chat-template", "", "chat template file or built-in name ("+
		strings.Join(chat.BuiltinNames(), ", ")+"); default: the model's")
	for _, name := range []string{"sys", "system-prompt", "p"} {
		fs.StringVar(&f.system, name, "", "system prompt")
	}
	f.samplingFlags.register(fs, "most new tokens per answer (-1 or 0 = until end of turn or a full context)",
		"random seed (0 = from the clock)")
	fs.BoolVar(&f.noStats, "no-stats", false, "do not print each turn's token counts and speed")
}

// conversationMode reports whether generate was asked for a conversation (-cnv), and the
// arguments without that flag.
func conversationMode(args []string) ([]string, bool) {
	rest := make([]string, 0, len(args))
	found := false
	for _, a := range args {
		if a == "-cnv" || a == "--cnv" || a == "-conversation" || a == "--conversation" {
			found = true
			continue
		}
		rest = append(rest, a)
	}
	return rest, found
}

func runChat(args []string) error {
	fs := newFlags("chat")
	var f chatFlags
	f.register(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if err := f.check(); err != nil {
		return err
	}
	kvc, err := f.kf.config()
	if err != nil {
		return err
	}
	m, closeModel, err := f.mf.openProfiled()
	if err != nil {
		return err
	}
	defer closeModel()
	tmpl, err := chatTemplate(f.template, m.File())
	if err != nil {
		return err
	}
	s, err := m.NewSession(scope.SessionOptions{KV: kvc, KVMemory: f.kf.memory(), PageSize: f.kf.pageSize})
	if err != nil {
		return err
	}
	defer s.Close()
	c := &chatter{s: s, out: bufio.NewWriter(os.Stdout), stats: !f.noStats, opts: f.generateOptions(),
		conv: chat.NewConversation(tmpl, chat.Options{BOS: m.File().BOSText(), EOS: m.File().EOSText()}, f.system)}
	c.opts.Stream = c.stream
	if err := c.loop(os.Stdin, isTerminal(os.Stdin)); err != nil {
		return err
	}
	return f.kf.report(c.lastKV)
}

func (f *chatFlags) generateOptions() scope.GenerateOptions {
	return f.samplingFlags.options(seedOrClock(f.seed))
}

// errStopped ends an answer on Ctrl-C.
var errStopped = errors.New("stopped")

// chatter runs a conversation: one turn per input line, the answers streamed to out.
type chatter struct {
	s         *scope.Session
	conv      *chat.Conversation
	opts      scope.GenerateOptions
	out       *bufio.Writer
	stats     bool
	answering atomic.Bool
	stop      atomic.Bool
	turn      int
	lastKV    *kvpolicy.Report
}

func (c *chatter) stream(text string) error {
	if c.stop.Load() {
		return errStopped
	}
	if _, err := c.out.WriteString(text); err != nil {
		return err
	}
	return c.out.Flush()
}

// loop reads turns until /exit, the end of the input or a second Ctrl-C at the prompt; a
// Ctrl-C during an answer stops only that answer.
func (c *chatter) loop(in io.Reader, interactive bool) error {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)
	atPrompt := make(chan struct{}, 1)
	go func() {
		for range sigs {
			if c.answering.Load() {
				c.stop.Store(true)
				continue
			}
			select {
			case atPrompt <- struct{}{}:
			default:
			}
		}
	}()
	lines := readLines(in)
	if interactive {
		fmt.Fprintln(os.Stderr, "scope chat: /clear starts over, /exit (or Ctrl-D) quits; Ctrl-C stops an answer")
	}
	interrupted := false
	for {
		if interactive {
			fmt.Fprint(os.Stdout, "> ")
		}
		select {
		case line, ok := <-lines:
			if !ok {
				if interactive {
					fmt.Fprintln(os.Stdout)
				}
				return nil
			}
			interrupted = false
			done, err := c.command(strings.TrimRight(line, "\r"))
			if done || err != nil {
				return err
			}
		case <-atPrompt:
			if interrupted {
				fmt.Fprintln(os.Stdout)
				return nil
			}
			interrupted = true
			fmt.Fprintln(os.Stdout, "\n(Ctrl-C again, /exit or Ctrl-D to quit)")
		}
	}
}

func readLines(in io.Reader) <-chan string {
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return lines
}

// command handles one input line; done reports /exit.
func (c *chatter) command(line string) (done bool, err error) {
	switch strings.TrimSpace(line) {
	case "/exit", "/quit":
		return true, nil
	case "/clear":
		c.conv.Clear()
		c.s.Reset()
		fmt.Fprintln(os.Stderr, "scope chat: conversation cleared")
		return false, nil
	case "":
		return false, nil
	}
	return false, c.answer(line)
}

// answer evaluates the turn's new text on top of the session and streams the reply.
func (c *chatter) answer(user string) error {
	t, err := c.conv.Prepare(user)
	if err != nil {
		return err
	}
	if t.Full && c.s.Pos() > 0 {
		fmt.Fprintln(os.Stderr, "scope chat: the template changed earlier turns; evaluating the conversation again")
		c.s.Reset()
	}
	before := c.s.Pos()
	c.stop.Store(false)
	c.answering.Store(true)
	res, err := c.s.Continue(context.Background(), t.Feed, c.opts)
	c.answering.Store(false)
	c.out.Flush()
	fmt.Fprintln(os.Stdout)
	stop := ""
	switch {
	case errors.Is(err, errStopped):
		stop = "stopped"
	case res == nil && errors.Is(err, scope.ErrContextFull) && c.s.Pos() == before:
		fmt.Fprintf(os.Stderr, "scope chat: the turn does not fit the context (%d of %d positions used); /clear starts over\n",
			c.s.Pos(), c.s.ContextLen())
		return nil
	case err != nil:
		return err
	}
	c.conv.Commit(t, res.Text)
	c.turn++
	c.opts.Sampling.Seed++ // each answer draws its own random numbers
	c.lastKV = res.KV
	if stop == "" {
		stop = res.StopReason
	}
	if c.stats {
		fmt.Fprintf(os.Stderr, "scope: turn %d: evaluated %d new tokens, generated %d (%.1f tok/s); the session holds %d of %d positions; stop: %s\n",
			c.turn, res.PromptTokens, len(res.Tokens), res.GenTokensPerSec(), c.s.Pos(), c.s.ContextLen(), stop)
	}
	return nil
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
