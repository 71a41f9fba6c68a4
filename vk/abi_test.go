package vk

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const systemHeader = "/usr/include/vulkan/vulkan_core.h"

// TestABIMatchesSystemHeader compiles the same probe program twice, once against the
// system's <vulkan/vulkan_core.h> and once against vkabi.h, and compares every struct's
// size and alignment, every field's offset and every constant; then it checks that each
// function-pointer type of vkfn.h is the official PFN type. It skips when the system
// header or a C compiler is missing.
func TestABIMatchesSystemHeader(t *testing.T) {
	if _, err := os.Stat(systemHeader); err != nil {
		t.Skipf("no %s (Debian package libvulkan-dev): cannot cross-check vkabi.h", systemHeader)
	}
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler")
	}
	var body string
	for _, h := range []string{"vkabi.h", "vkabi_device.h"} {
		b, err := probeBody(h)
		if err != nil {
			t.Fatal(err)
		}
		body += b
	}
	dir := t.TempDir()
	here, _ := os.Getwd()
	sys := runProbe(t, cc, dir, "sys", "#include <vulkan/vulkan_core.h>\n", body)
	own := runProbe(t, cc, dir, "own", fmt.Sprintf("#include %q\n", filepath.Join(here, "vkabi.h")), body)
	sysLines, ownLines := strings.Split(sys, "\n"), strings.Split(own, "\n")
	if len(sysLines) != len(ownLines) || len(sysLines) < 100 {
		t.Fatalf("probe outputs differ in length: %d vs %d", len(sysLines), len(ownLines))
	}
	for i := range sysLines {
		if sysLines[i] != ownLines[i] {
			t.Errorf("system %q, vkabi.h %q", sysLines[i], ownLines[i])
		}
	}
	checkSignatures(t, cc, dir, here)
}

func runProbe(t *testing.T, cc, dir, name, include, body string) string {
	t.Helper()
	src := filepath.Join(dir, name+".c")
	prog := "#include <stdio.h>\n#include <stddef.h>\n" + include + "int main(void) {\n" + body + "return 0;\n}\n"
	if err := os.WriteFile(src, []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, name)
	if out, err := exec.Command(cc, "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("compiling the %s probe: %v\n%s", name, err, out)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatalf("running the %s probe: %v", name, err)
	}
	return string(out)
}

var (
	reStructOpen  = regexp.MustCompile(`^typedef struct (\w+) \{$`)
	reStructClose = regexp.MustCompile(`^\} (\w+);$`)
	reField       = regexp.MustCompile(`(\w+)(\[\w+\])?;$`)
	reDefine      = regexp.MustCompile(`^#define (VK_\w+) `)
)

// probeBody turns vkabi.h's declarations into printf statements.
func probeBody(header string) (string, error) {
	f, err := os.Open(header)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var b strings.Builder
	current := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case reStructOpen.MatchString(line):
			current = reStructOpen.FindStringSubmatch(line)[1]
			fmt.Fprintf(&b, "printf(\"struct %s %%zu %%zu\\n\", sizeof(%s), _Alignof(%s));\n", current, current, current)
		case current != "" && reStructClose.MatchString(line):
			current = ""
		case current != "" && reField.MatchString(line):
			field := reField.FindStringSubmatch(line)[1]
			fmt.Fprintf(&b, "printf(\"field %s.%s %%zu\\n\", offsetof(%s, %s));\n", current, field, current, field)
		case reDefine.MatchString(line):
			name := reDefine.FindStringSubmatch(line)[1]
			fmt.Fprintf(&b, "printf(\"const %s %%lld\\n\", (long long)(%s));\n", name, name)
		}
	}
	return b.String(), sc.Err()
}

func checkSignatures(t *testing.T, cc, dir, here string) {
	t.Helper()
	prog := fmt.Sprintf(`#include <vulkan/vulkan_core.h>
#define SCOPE_VKABI_H
#include %q
#define CHECK(name, ret, params) _Static_assert(__builtin_types_compatible_p(skfn_##name, PFN_##name), #name);
SK_GLOBAL_FUNCS(CHECK)
SK_INSTANCE_FUNCS(CHECK)
SK_DEVICE_FUNCS(CHECK)
_Static_assert(__builtin_types_compatible_p(skfn_vkGetInstanceProcAddr, PFN_vkGetInstanceProcAddr), "gipa");
_Static_assert(__builtin_types_compatible_p(PFN_vkDebugUtilsMessengerCallbackEXT, PFN_vkDebugUtilsMessengerCallbackEXT), "cb");
`, filepath.Join(here, "vkfn.h"))
	src := filepath.Join(dir, "sig.c")
	if err := os.WriteFile(src, []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(cc, "-c", "-o", filepath.Join(dir, "sig.o"), src).CombinedOutput(); err != nil {
		t.Errorf("vkfn.h signatures differ from the system header's PFN types: %v\n%s", err, out)
	}
}
