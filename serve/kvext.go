package serve

import (
	"github.com/scopekv/scope/scope"
)

// kvExtension is the request's KV policy (an extension to OpenAI's API): fields left out
// keep the server's defaults (the --kv-* flags).
type kvExtension struct {
	Prefill       *string `json:"prefill"`
	PrefillBudget *int    `json:"prefill_budget"`
	Window        *int    `json:"window"`
	Decode        *string `json:"decode"`
	DecodeBudget  *int    `json:"decode_budget"`
	Recent        *int    `json:"recent"`
	Delta         *int    `json:"delta"`
	GQA           *string `json:"gqa"`
}

// config applies the extension to the server's default policy.
func (k *kvExtension) config(base scope.Config) (*scope.Config, error) {
	if k == nil {
		return nil, nil
	}
	c := base
	var err error
	if k.Prefill != nil {
		if c.Prefill, err = scope.ParsePrefill(*k.Prefill); err != nil {
			return nil, badRequest("kv.prefill: " + err.Error())
		}
	}
	if k.Decode != nil {
		if c.Decode, err = scope.ParseDecode(*k.Decode); err != nil {
			return nil, badRequest("kv.decode: " + err.Error())
		}
	}
	if k.GQA != nil {
		if c.GQA, err = scope.ParseGQA(*k.GQA); err != nil {
			return nil, badRequest("kv.gqa: " + err.Error())
		}
	}
	setInt(&c.PrefillBudget, k.PrefillBudget)
	setInt(&c.Window, k.Window)
	setInt(&c.DecodeBudget, k.DecodeBudget)
	setInt(&c.Recent, k.Recent)
	setInt(&c.Delta, k.Delta)
	return &c, nil
}

func setInt(dst *int, v *int) {
	if v != nil {
		*dst = *v
	}
}
