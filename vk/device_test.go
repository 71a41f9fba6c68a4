//go:build cgo && !novulkan && linux

package vk

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/scopekv/scope/internal/backend"
)

var (
	sharedOnce sync.Once
	sharedDev  *Device
	sharedErr  error

	fp32Once sync.Once
	fp32Dev  *Device
	fp32Err  error
)

// testValidation is false when SCOPE_VK_TEST_VALIDATION=0: the tests then open devices
// without the validation layer (for machines that do not have it installed).
var testValidation = os.Getenv("SCOPE_VK_TEST_VALIDATION") != "0"

// testOpen opens a device for a test, dropping validation when testValidation is false.
// The suite keeps the float kernels for Q8_0 and Q4_0 (Options.NoIntDot), whose
// tolerances it checks; testOpenIntDot leaves the int8 dot products on where the device
// has them (intdot_test.go).
func testOpen(opts Options) (*Device, error) {
	opts.NoIntDot = true
	return testOpenIntDot(opts)
}

func testOpenIntDot(opts Options) (*Device, error) {
	opts.Validation = opts.Validation && testValidation
	return Open(opts)
}

// openOrSkip opens a device with validation, or skips the test when there is no Vulkan
// (failing instead when SCOPE_REQUIRE_VULKAN=1, as in CI).
func openOrSkip(t testing.TB, opts Options) *Device {
	t.Helper()
	return openWith(t, testOpen, opts)
}

func openWith(t testing.TB, open func(Options) (*Device, error), opts Options) *Device {
	t.Helper()
	d, err := open(opts)
	if err != nil {
		skipOrFail(t, err)
	}
	t.Cleanup(func() {
		checkValidation(t, d)
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return d
}

func skipOrFail(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("SCOPE_REQUIRE_VULKAN") == "1" {
		t.Fatalf("Vulkan required (SCOPE_REQUIRE_VULKAN=1) but unavailable: %v", err)
	}
	t.Skipf("no usable Vulkan device with the validation layer (set SCOPE_REQUIRE_VULKAN=1 to fail instead): %v", err)
}

// sharedDevice returns one validated device for the whole test binary (opening one costs
// pipeline compiles); each test fails on any validation message it caused.
func sharedDevice(t testing.TB) *Device {
	t.Helper()
	sharedOnce.Do(func() {
		sharedDev, sharedErr = testOpen(Options{DeviceIndex: -1, Validation: true, Timings: true})
	})
	if sharedErr != nil {
		skipOrFail(t, sharedErr)
	}
	sharedDev.ValidationMessages() // drop what earlier tests left
	t.Cleanup(func() { checkValidation(t, sharedDev) })
	return sharedDev
}

// fp32Device is like sharedDevice with Options.FP32 set: every product in float32.
func fp32Device(t testing.TB) *Device {
	t.Helper()
	fp32Once.Do(func() {
		fp32Dev, fp32Err = testOpen(Options{DeviceIndex: -1, Validation: true, Timings: true, FP32: true})
	})
	if fp32Err != nil {
		skipOrFail(t, fp32Err)
	}
	fp32Dev.ValidationMessages()
	t.Cleanup(func() { checkValidation(t, fp32Dev) })
	return fp32Dev
}

func checkValidation(t testing.TB, d *Device) {
	t.Helper()
	if msgs := d.ValidationMessages(); len(msgs) > 0 {
		t.Errorf("%d validation messages:\n%s", len(msgs), strings.Join(msgs, "\n"))
	}
}

func TestListDevices(t *testing.T) {
	devs, err := ListDevices()
	if err != nil {
		skipOrFail(t, err)
	}
	if len(devs) == 0 {
		skipOrFail(t, errors.New("no devices"))
	}
	for _, d := range devs {
		t.Logf("%d: %s (%s, Vulkan %s) memory %d MiB, subgroup %d, fp16 %v, int8 %v, storage range %d MiB, usable %v",
			d.Index, d.Name, d.Kind, d.APIVersion, d.MemoryBytes>>20, d.SubgroupSize, d.FP16, d.Int8, d.MaxStorageBufferRange>>20, d.Usable)
		if d.Name == "" || d.Kind == "" || d.MaxPushConstants < 128 {
			t.Errorf("device %d: incomplete info %+v", d.Index, d)
		}
	}
}

func TestOpenCloseTwice(t *testing.T) {
	d := openOrSkip(t, Options{DeviceIndex: -1, Validation: true})
	caps := d.Caps()
	if caps.Name == "" || caps.Kind == "" || caps.MemoryBytes <= 0 {
		t.Errorf("incomplete caps %+v", caps)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := d.NewBuffer(4); err == nil {
		t.Error("NewBuffer after Close succeeded")
	}
}

func TestOpenBadIndex(t *testing.T) {
	devs, err := ListDevices()
	if err != nil {
		skipOrFail(t, err)
	}
	_, err = Open(Options{DeviceIndex: len(devs)})
	if !errors.Is(err, backend.ErrUnsupported) {
		t.Fatalf("Open(index %d) = %v, want ErrUnsupported", len(devs), err)
	}
}

func TestBufferRoundTrip(t *testing.T) {
	for _, staging := range []bool{false, true} {
		d := sharedDevice(t)
		if staging {
			d = openOrSkip(t, Options{DeviceIndex: -1, Validation: true, forceStaging: true})
		}
		b, err := d.NewBuffer(1000)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]float32, 1000)
		for i := range got {
			got[i] = 7
		}
		if err := d.Read(b, got); err != nil {
			t.Fatal(err)
		}
		for i, v := range got {
			if v != 0 {
				t.Fatalf("staging=%v: new buffer[%d] = %v, want 0", staging, i, v)
			}
		}
		src := make([]float32, 999)
		for i := range src {
			src[i] = float32(i) * 0.5
		}
		if err := d.Write(b, src); err != nil {
			t.Fatal(err)
		}
		if err := d.Read(b, got[:999]); err != nil {
			t.Fatal(err)
		}
		for i := range src {
			if got[i] != src[i] {
				t.Fatalf("staging=%v: [%d] = %v, want %v", staging, i, got[i], src[i])
			}
		}
		if err := d.Write(b, make([]float32, 1001)); err == nil {
			t.Error("oversized Write succeeded")
		}
	}
}

func TestAddRuns(t *testing.T) {
	d := sharedDevice(t)
	for _, n := range []int{1, 7, 257, 1000, 70000} {
		a, _ := d.NewBuffer(n)
		b, _ := d.NewBuffer(n)
		out, _ := d.NewBuffer(n)
		av, bv := make([]float32, n), make([]float32, n)
		for i := range av {
			av[i], bv[i] = float32(i), float32(2*i)+0.25
		}
		_ = d.Write(a, av)
		_ = d.Write(b, bv)
		if err := d.Run(context.Background(), []backend.Op{backend.Add{A: a, B: b, Out: out, N: n}, backend.Add{A: out, B: b, Out: out, N: n}}); err != nil {
			t.Fatal(err)
		}
		got := make([]float32, n)
		_ = d.Read(out, got)
		for i := range got {
			if want := av[i] + 2*bv[i]; got[i] != want {
				t.Fatalf("n=%d: [%d] = %v, want %v", n, i, got[i], want)
			}
		}
	}
	if tm := d.Timings(); len(tm) != 2 {
		t.Errorf("timings: %+v", tm)
	}
}

// TestValidationCatchesMisuse proves that the messenger records messages for calls through
// the shim and through the Go binding: a barrier, or a fill, on a command buffer that is
// not recording is invalid usage, which the layer reports (and does not pass down to the
// driver).
func TestValidationCatchesMisuse(t *testing.T) {
	if !testValidation {
		t.Skip("SCOPE_VK_TEST_VALIDATION=0")
	}
	d, err := Open(Options{DeviceIndex: -1, Validation: true})
	if err != nil {
		skipOrFail(t, err)
	}
	defer d.Close()
	b, err := d.NewBuffer(16)
	if err != nil {
		t.Fatal(err)
	}
	for _, binding := range []bool{false, true} {
		d.misuseForTest(binding, b.(*buffer).a)
		msgs := d.ValidationMessages()
		if len(msgs) == 0 {
			t.Fatalf("binding %v: no validation message for a command outside recording", binding)
		}
		t.Logf("binding %v: recorded as expected: %.200s", binding, msgs[0])
	}
}

// TestDescriptorCacheTrim runs with a tiny set cache: sets are freed between runs and
// written again, and results stay right.
func TestDescriptorCacheTrim(t *testing.T) {
	d := openOrSkip(t, Options{DeviceIndex: -1, Validation: true})
	d.sets.limit = 2
	tw := newTwin(t, d)
	for i := 0; i < 4; i++ {
		a, b, out := tw.buf(tw.randn(33, 1)), tw.buf(tw.randn(33, 1)), tw.zeros(33)
		tw.run(func(s int) []backend.Op {
			return []backend.Op{
				backend.Add{A: a[s], B: b[s], Out: out[s], N: 33},
				backend.SwiGLU{Gate: a[s], Up: out[s], Out: b[s], N: 33},
				backend.Add{A: b[s], B: out[s], Out: a[s], N: 33},
			}
		})
		tw.compare("a", a, tolF32)
		if n := len(d.sets.sets); n > 3 {
			t.Fatalf("%d cached sets after a trim to 2", n)
		}
	}
}
