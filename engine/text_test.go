package engine

import "testing"

func TestCompleteUTF8(t *testing.T) {
	cases := []struct {
		in   string
		want int
	}{{"abc", 3}, {"a\xc3", 1}, {"a\xc3\xa9", 3}, {"\xe2\x82", 0}, {"\xe2\x82\xac", 3}, {"\x80", 1}}
	for _, c := range cases {
		if got := completeUTF8([]byte(c.in)); got != c.want {
			t.Errorf("%q: %d, want %d", c.in, got, c.want)
		}
	}
}

func TestStopPrefixHeldBack(t *testing.T) {
	o := &textOut{stops: []string{"END", "xy"}}
	if k := o.stopPrefix("abcEN"); k != 2 {
		t.Errorf("abcEN: %d", k)
	}
	if k := o.stopPrefix("abcx"); k != 1 {
		t.Errorf("abcx: %d", k)
	}
	if k := o.stopPrefix("abc"); k != 0 {
		t.Errorf("abc: %d", k)
	}
}
