package tokenizer

import "fmt"

// preTokenizer describes how llama.cpp treats one tokenizer.ggml.pre value of a "gpt2" vocab.
type preTokenizer struct {
	steps        []splitter // regexes applied in order, each to every fragment of the last
	cleanSpaces  bool       // llama.cpp's clean_up_tokenization_spaces pass in Decode
	ignoreMerges bool       // a word that is a token is taken whole, before any merge
	addBOS       bool       // llama.cpp's default for add_bos_token
}

var (
	gpt2Steps      = []splitter{splitGPT2}
	llama3Steps    = []splitter{llama3Splitter(3)}
	qwen2Steps     = []splitter{llama3Splitter(1)}
	starcoderSteps = []splitter{matchSplitter(classRun(isNumberRune, 1)), splitGPT2}
	falconSteps    = []splitter{
		matchSplitter(classRun(punctOr("$+<=>^~|`"), 0)),
		splitGPT2,
		matchSplitter(exactRun(isASCIIDigit, 3)),
	}
	defaultSteps = []splitter{
		matchSplitter(classRun(punctOr("$+<=>^~|"), 0)),
		splitGPT2,
		matchSplitter(classRun(isNumberRune, 0)),
		matchSplitter(exactRun(isASCIIDigit, 3)),
	}
	deepseekLLMSteps = []splitter{
		matchSplitter(classRun(isNewline, 1)),
		matchSplitter(optPrefixRun(isSpaceRune, casedLetters.has)),
		matchSplitter(optPrefixRun(isSpaceRune, deepseekPunct.has)),
		trailingSpace,
		matchSplitter(classRun(cjkRanges.has, 0)),
		matchSplitter(classRun(isNumberRune, 0)),
	}
	deepseekCoderSteps = []splitter{
		matchSplitter(classRun(isNewline, 1)),
		matchSplitter(optPrefixRun(isSpaceRune, isLetterRune)),
		matchSplitter(optPrefixRun(isSpaceRune, isPunctRune)),
		matchSplitter(classRun(cjkRanges.has, 0)),
		matchSplitter(classRun(isNumberRune, 1)),
	}
	bloomSteps  = []splitter{matchSplitter(optPrefixRun(isSpaceChar, bloomStops.notNorSpace))}
	vikingSteps = []splitter{bloomSteps[0], matchSplitter(classRun(isNumberRune, 1))}
)

// preTokenizerFor returns the pre-tokenizer llama.cpp (src/llama-vocab.cpp) selects for pre.
func preTokenizerFor(pre string) (preTokenizer, error) {
	switch pre {
	case "", "default":
		return preTokenizer{steps: defaultSteps, cleanSpaces: true}, nil
	case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
		"jina-v5-nano":
		return preTokenizer{steps: llama3Steps, cleanSpaces: true, ignoreMerges: true, addBOS: true}, nil
	case "dbrx", "smaug-bpe":
		return preTokenizer{steps: llama3Steps, cleanSpaces: true}, nil
	case "deepseek-llm":
		return preTokenizer{steps: deepseekLLMSteps}, nil
	case "deepseek-coder":
		return preTokenizer{steps: deepseekCoderSteps}, nil
	case "falcon":
		return preTokenizer{steps: falconSteps, cleanSpaces: true}, nil
	case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de",
		"a.x-4.0", "mellum", "modern-bert", "exaone4", "mpt", "olmo", "jais":
		return preTokenizer{steps: gpt2Steps, cleanSpaces: true}, nil
	case "trillion", "granite-docling":
		return preTokenizer{steps: gpt2Steps}, nil
	case "starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2":
		return preTokenizer{steps: starcoderSteps, cleanSpaces: true}, nil
	case "command-r", "smollm":
		return preTokenizer{steps: starcoderSteps}, nil
	case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open":
		return preTokenizer{steps: qwen2Steps}, nil
	case "stablelm2", "megrez":
		return preTokenizer{steps: qwen2Steps, cleanSpaces: true}, nil
	case "poro-chat":
		return preTokenizer{steps: bloomSteps}, nil
	case "bloom", "gpt3-finnish":
		return preTokenizer{steps: bloomSteps, cleanSpaces: true}, nil
	case "viking":
		return preTokenizer{steps: vikingSteps}, nil
	}
	return preTokenizer{}, fmt.Errorf("%w: pre-tokenizer %q", ErrUnsupported, pre)
}

// preSplit cuts text into the words that BPE merges run on, as llama.cpp's unicode_regex_split:
// the text is decoded to code points, every step splits every fragment, and each word is
// re-encoded to UTF-8 (invalid input bytes having become U+FFFD).
func (p *preTokenizer) preSplit(text string) (cps []rune, words []span) {
	cps = decodeRunes(text)
	if len(cps) == 0 {
		return cps, nil
	}
	words = []span{{0, len(cps)}}
	for _, step := range p.steps {
		next := make([]span, 0, len(words)*2)
		for _, w := range words {
			next = step(cps, w.start, w.end, next)
		}
		words = next
	}
	return cps, words
}

// casedLetters is the letter class of DeepSeek LLM's pre-tokenizer (the cased letters).
var casedLetters = rangeClass{
	{0x41, 0x5A}, {0x61, 0x7A}, {0xB5, 0xB5}, {0xC0, 0xD6}, {0xD8, 0xF6}, {0xF8, 0x1BA},
	{0x1BC, 0x1BF}, {0x1C4, 0x293}, {0x295, 0x2AF}, {0x370, 0x373}, {0x376, 0x377},
	{0x37B, 0x37D}, {0x37F, 0x37F}, {0x386, 0x386}, {0x388, 0x38A}, {0x38C, 0x38C},
	{0x38E, 0x3A1}, {0x3A3, 0x3F5}, {0x3F7, 0x481}, {0x48A, 0x52F}, {0x531, 0x556},
	{0x10A0, 0x10C5}, {0x13A0, 0x13F5}, {0x13F8, 0x13FD}, {0x1C90, 0x1CBA}, {0x1CBD, 0x1CBF},
	{0x1D00, 0x1D2B}, {0x1D6B, 0x1D77}, {0x1D79, 0x1D9A}, {0x1E00, 0x1F15}, {0x1F18, 0x1F1D},
	{0x1F20, 0x1F45}, {0x1F48, 0x1F4D}, {0x1F50, 0x1F57}, {0x1F59, 0x1F59}, {0x1F5B, 0x1F5B},
	{0x1F5D, 0x1F5D}, {0x1F5F, 0x1F7D}, {0x1F80, 0x1FB4}, {0x1FB6, 0x1FBC}, {0x1FBE, 0x1FBE},
	{0x1FC2, 0x1FC4}, {0x1FC6, 0x1FCC}, {0x1FD0, 0x1FD3}, {0x1FD6, 0x1FDB}, {0x1FE0, 0x1FEC},
	{0x1FF2, 0x1FF4}, {0x1FF6, 0x1FFC}, {0x2102, 0x2102}, {0x2107, 0x2107}, {0x210A, 0x2113},
	{0x2115, 0x2115}, {0x2119, 0x211D}, {0x2124, 0x2124}, {0x2126, 0x2126}, {0x2128, 0x2128},
	{0x212A, 0x212D}, {0x212F, 0x2134}, {0x2139, 0x2139}, {0x213C, 0x213F}, {0x2145, 0x2149},
	{0x214E, 0x214E}, {0x2183, 0x2184}, {0x2C00, 0x2C7B}, {0x2C7E, 0x2CE4}, {0x2CEB, 0x2CEE},
	{0x2CF2, 0x2CF3}, {0xA640, 0xA66D}, {0xA680, 0xA69B}, {0xA722, 0xA76F}, {0xA771, 0xA787},
	{0xA78B, 0xA78E}, {0xAB70, 0xABBF}, {0xFB00, 0xFB06}, {0xFB13, 0xFB17}, {0xFF21, 0xFF3A},
	{0xFF41, 0xFF5A}, {0x10400, 0x1044F}, {0x104B0, 0x104D3}, {0x104D8, 0x104FB},
	{0x10C80, 0x10CB2}, {0x10CC0, 0x10CF2}, {0x118A0, 0x118DF}, {0x1E900, 0x1E943},
}

// deepseekPunct is [!-/:-~！-／：-～‘-‟　-。] (ASCII :-~ includes the letters).
var deepseekPunct = rangeClass{
	{0x21, 0x2F}, {0x3A, 0x7E}, {0xFF01, 0xFF0F}, {0xFF1A, 0xFF5E}, {0x2018, 0x201F}, {0x3000, 0x3002},
}

// cjkRanges is [一-龥ࠀ-一가-퟿] of the DeepSeek pre-tokenizers.
var cjkRanges = rangeClass{{0x4E00, 0x9FA5}, {0x0800, 0x4E00}, {0xAC00, 0xD7FF}}

// bloomStops are the characters of BLOOM's [^(\s|.,!?…。，、।۔،)].
var bloomStops = rangeClass{
	{'(', '('}, {'|', '|'}, {')', ')'}, {'.', '.'}, {',', ','}, {'!', '!'}, {'?', '?'},
	{0x2026, 0x2026}, {0x3002, 0x3002}, {0xFF0C, 0xFF0C}, {0x3001, 0x3001}, {0x0964, 0x0964},
	{0x06D4, 0x06D4}, {0x060C, 0x060C},
}
