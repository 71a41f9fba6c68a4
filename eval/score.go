package eval

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The reference scorer (eval_longgenbench.py) uses Python's re on str, where \d is any
// Unicode decimal digit and \s is any character for which str.isspace() is true. RE2's \d
// and \s are ASCII-only (and \s lacks \v), so both classes are spelled out for parity.
const (
	pyDigit = `\p{Nd}`
	pySpace = `[\t\n\v\f\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]`
)

var (
	// GSM8K predictions: DOTALL, digits only (so "1,000" reads as "1").
	gsmPredRE = regexp.MustCompile(`(?s)Answer_(` + pyDigit + `+):` + pySpace + `*.*?answer is (` + pyDigit + `+)`)
	// GSM8K gold: the first "#### N", digits only.
	gsmGoldRE = regexp.MustCompile(`####` + pySpace + `*(` + pyDigit + `+)`)
	// MMLU/CSQA predictions: no DOTALL, so the choice must be on the line with "answer is".
	choicePredRE = regexp.MustCompile(`Answer_(` + pyDigit + `+):` + pySpace + `*.*?answer is \((.*?)\)`)
)

// Prediction is one answer extracted from a generated text.
type Prediction struct {
	Number string // the N of "Answer_N" that opened the match
	Answer string
}

// ExtractPredictions returns the answers found in a generation, in order, using the
// reference regexes for the subset. Recall splits the text into lines instead.
func ExtractPredictions(subset, pred string) ([]Prediction, error) {
	var re *regexp.Regexp
	switch subset {
	case GSM8K:
		re = gsmPredRE
	case MMLU, CSQA:
		re = choicePredRE
	case Recall:
		lines := strings.Split(pred, "\n")
		out := make([]Prediction, len(lines))
		for i, l := range lines {
			out[i] = Prediction{Number: strconv.Itoa(i), Answer: l}
		}
		return out, nil
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnknownSubset, subset)
	}
	ms := re.FindAllStringSubmatch(pred, -1)
	out := make([]Prediction, len(ms))
	for i, m := range ms {
		out[i] = Prediction{Number: m[1], Answer: m[2]}
	}
	return out, nil
}

// GoldAnswers returns the comparable gold answers: the "#### N" digits for GSM8K (empty,
// never matching, when absent), the answers unchanged elsewhere.
func GoldAnswers(subset string, answers []string) []string {
	if subset != GSM8K {
		return answers
	}
	gold := make([]string, len(answers))
	for i, a := range answers {
		if m := gsmGoldRE.FindStringSubmatch(a); m != nil {
			gold[i] = m[1]
		}
	}
	return gold
}

// PromptScore is the scoring of one generation against its K gold answers.
type PromptScore struct {
	Correct  []bool // by answer position; missing predictions are false
	Accuracy float64
}

// ScorePrediction scores one generation as the reference does: the i-th extracted answer
// is compared with the i-th gold answer (positional, not by Answer_ number); missing
// answers are wrong, surplus ones ignored; accuracy = correct / K (0 when K = 0).
func ScorePrediction(subset, pred string, answers []string) (PromptScore, error) {
	preds, err := ExtractPredictions(subset, pred)
	if err != nil {
		return PromptScore{}, err
	}
	gold := GoldAnswers(subset, answers)
	ps := PromptScore{Correct: make([]bool, len(gold))}
	n := 0
	for i, g := range gold {
		// An unparsable GSM8K gold (None in the reference) never equals a prediction.
		missingGold := subset == GSM8K && g == ""
		if i < len(preds) && !missingGold && preds[i].Answer == g {
			ps.Correct[i] = true
			n++
		}
	}
	if len(gold) > 0 {
		ps.Accuracy = float64(n) / float64(len(gold))
	}
	return ps, nil
}

// answerOffset is the number of the first scored question ("Question_9" after the 8 GSM8K
// demos, "Question_6" after 5 demos elsewhere).
var answerOffset = map[string]int{GSM8K: 9, MMLU: 6, CSQA: 6}

// ScorePredictionIndexed is an index-matched alternative to the positional ScorePrediction:
// gold i is compared with the first extracted answer whose Answer_ number is offset+i, so
// skipped or repeated answers do not shift the rest. It is not the published metric.
func ScorePredictionIndexed(subset, pred string, answers []string) (PromptScore, error) {
	off, ok := answerOffset[subset]
	if !ok {
		return PromptScore{}, fmt.Errorf("%w: %q has no Answer_ numbering", ErrUnknownSubset, subset)
	}
	preds, err := ExtractPredictions(subset, pred)
	if err != nil {
		return PromptScore{}, err
	}
	byNumber := map[int]string{}
	for _, p := range preds {
		num, err := strconv.Atoi(p.Number)
		if _, seen := byNumber[num]; err == nil && !seen {
			byNumber[num] = p.Answer
		}
	}
	gold := GoldAnswers(subset, answers)
	ps := PromptScore{Correct: make([]bool, len(gold))}
	n := 0
	for i, g := range gold {
		a, ok := byNumber[off+i]
		if ok && g != "" && a == g {
			ps.Correct[i] = true
			n++
		}
	}
	if len(gold) > 0 {
		ps.Accuracy = float64(n) / float64(len(gold))
	}
	return ps, nil
}
