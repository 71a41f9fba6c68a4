package chat

import "strings"

// Conversation keeps a chat's messages and the text a session already holds, so each turn
// feeds the model only what is new: the template renders the whole conversation and the
// turn's feed is the part beyond what the session has evaluated.
type Conversation struct {
	tmpl   *Template
	opts   Options
	system string
	msgs   []Message
	prompt string // the last rendered prompt, which the session holds
	answer string // the answer generated after it, which the session holds too
}

// Turn is a prepared user turn.
type Turn struct {
	// Feed is the text to evaluate: the rendered conversation beyond what the session holds.
	Feed string
	// Full reports that Feed is the whole conversation: the session must start from empty
	// (the first turn, or the template changed text the session already holds).
	Full bool
	msgs []Message
	text string
}

// NewConversation starts a conversation; system, when not empty, is its system message.
func NewConversation(t *Template, o Options, system string) *Conversation {
	c := &Conversation{tmpl: t, opts: o, system: system}
	c.Clear()
	return c
}

// Clear forgets every turn but the system message; the session must be reset too.
func (c *Conversation) Clear() {
	c.msgs = nil
	if c.system != "" {
		c.msgs = append(c.msgs, Message{Role: "system", Content: c.system})
	}
	c.Forget()
}

// Forget records that the session holds nothing (it was reset), so the next turn feeds the
// whole conversation.
func (c *Conversation) Forget() { c.prompt, c.answer = "", "" }

// Messages returns the conversation so far.
func (c *Conversation) Messages() []Message { return c.msgs }

// Prepare renders the conversation with a new user message and works out what to feed.
// The conversation changes only on Commit.
func (c *Conversation) Prepare(user string) (*Turn, error) {
	msgs := append(c.msgs[:len(c.msgs):len(c.msgs)], Message{Role: "user", Content: user})
	o := c.opts
	o.AddGenerationPrompt = true
	text, err := c.tmpl.Render(msgs, o)
	if err != nil {
		return nil, err
	}
	t := &Turn{msgs: msgs, text: text}
	feed, ok := "", false
	if c.prompt != "" || c.answer != "" {
		feed, ok = suffixAfter(text, c.prompt, c.answer)
	}
	if !ok {
		feed, t.Full = text, true
	}
	t.Feed = feed
	return t, nil
}

// Commit records a turn whose feed the session evaluated and the answer it generated
// (exactly as generated: the session holds its tokens).
func (c *Conversation) Commit(t *Turn, answer string) {
	c.msgs = append(t.msgs, Message{Role: "assistant", Content: answer})
	c.prompt, c.answer = t.text, answer
}

// suffixAfter returns text beyond prompt+answer. The prompt must be an exact prefix. The
// answer may differ in surrounding whitespace only (templates often trim answers): the
// session keeps the spacing the model generated, as llama.cpp does.
func suffixAfter(text, prompt, answer string) (string, bool) {
	rest, ok := strings.CutPrefix(text, prompt)
	if !ok {
		return "", false
	}
	if r, ok := strings.CutPrefix(rest, answer); ok {
		return r, true
	}
	core := strings.TrimSpace(answer)
	r, ok := strings.CutPrefix(strings.TrimLeft(rest, " \t\r\n"), core)
	return r, ok
}
