package chat

import "testing"

func TestConversationFeedsOnlyNewText(t *testing.T) {
	tp, _ := Builtin("chatml")
	c := NewConversation(tp, Options{}, "Be brief.")
	t1, err := c.Prepare("Hello")
	if err != nil {
		t.Fatal(err)
	}
	if !t1.Full || t1.Feed != "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n" {
		t.Fatalf("turn 1: %+v", t1)
	}
	c.Commit(t1, "Hi there")
	t2, _ := c.Prepare("Who are you")
	if t2.Full || t2.Feed != "<|im_end|>\n<|im_start|>user\nWho are you<|im_end|>\n<|im_start|>assistant\n" {
		t.Fatalf("turn 2: %+v", t2)
	}
	c.Commit(t2, " A model. ")
	t3, _ := c.Prepare("Bye")
	if t3.Full || t3.Feed != "<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n" {
		t.Fatalf("turn 3: %+v", t3)
	}
	if n := len(c.Messages()); n != 5 {
		t.Errorf("%d messages before the third commit, want 5", n)
	}
	c.Clear()
	if t4, _ := c.Prepare("Again"); !t4.Full || len(c.Messages()) != 1 {
		t.Errorf("after Clear: %+v, %d messages", t4, len(c.Messages()))
	}
}

// A template that trims answers still continues: the session keeps the model's spacing.
func TestConversationToleratesTrimmedAnswer(t *testing.T) {
	tp, _ := Builtin("llama2")
	c := NewConversation(tp, Options{BOS: "<s>", EOS: "</s>"}, "")
	t1, _ := c.Prepare("Hello")
	c.Commit(t1, "  Hi there\n")
	t2, _ := c.Prepare("Who are you")
	if t2.Full || t2.Feed != " </s><s>[INST] Who are you [/INST]" {
		t.Fatalf("turn 2: %+v", t2)
	}
}

// A template that rewrites earlier text makes the turn start from the beginning.
func TestConversationRewrittenHistory(t *testing.T) {
	tp, err := Parse("last", "{% for m in messages[-2:] %}[{{ m.role }}]{{ m.content }}{% endfor %}[assistant]")
	if err != nil {
		t.Fatal(err)
	}
	c := NewConversation(tp, Options{}, "")
	t1, _ := c.Prepare("one")
	c.Commit(t1, "two")
	t2, _ := c.Prepare("three")
	if !t2.Full || t2.Feed != "[assistant]two[user]three[assistant]" {
		t.Fatalf("turn 2: %+v", t2)
	}
}

func TestConversationRenderErrorKeepsState(t *testing.T) {
	tp, _ := Parse("odd", "{% if messages|length > 2 %}{{ raise_exception('too long') }}{% endif %}{% for m in messages %}{{ m.content }}{% endfor %}")
	c := NewConversation(tp, Options{}, "")
	t1, _ := c.Prepare("a")
	c.Commit(t1, "b")
	if _, err := c.Prepare("c"); err == nil {
		t.Fatal("no error")
	}
	if n := len(c.Messages()); n != 2 {
		t.Errorf("%d messages after a failed turn, want 2", n)
	}
}
