package main

import (
	"debug/elf"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDockerfileContract reads the Dockerfile for what the deployment
// section of the README promises: a static build, a non-root user, the
// database in the /data volume, and a health check the image can run
// without curl.
func TestDockerfileContract(t *testing.T) {
	raw, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(raw)
	for _, want := range []string{
		"CGO_ENABLED=0",
		"DATABASE_PATH=/data/briefbot.db",
		`VOLUME ["/data"]`,
		`CMD ["/usr/local/bin/briefbot", "healthcheck"]`,
		"--chown=65532:65532 /out/data /data",
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	var users []string
	for _, line := range strings.Split(df, "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "USER" {
			users = append(users, f[1])
		}
	}
	if len(users) == 0 || strings.HasPrefix(users[len(users)-1], "0") || strings.HasPrefix(users[len(users)-1], "root") {
		t.Errorf("Dockerfile USER = %q; want the last one non-root", users)
	}
}

// TestStaticBinaryUnprivileged builds briefbot as the Dockerfile does
// (CGO_ENABLED=0), checks the binary is static, and, as root, runs it as
// nobody from a read-only working directory with a writable data
// directory, as in the image: it starts, answers its own healthcheck
// command and /readyz, keeps its database in the data directory and
// writes nothing else.
func TestStaticBinaryUnprivileged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the whole program: not in -short")
	}
	root := t.TempDir()
	bin := filepath.Join(root, "briefbot")
	build := exec.Command("go", "build", "-trimpath", "-tags", "timetzdata", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("the binary names a dynamic loader (PT_INTERP): it is not static")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %q; want none", libs)
	}
	f.Close()

	if os.Geteuid() != 0 {
		t.Skip("running as another user needs root")
	}
	runuser, err := exec.LookPath("runuser")
	if err != nil {
		t.Skip("no runuser here")
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody here")
	}
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	work, data := filepath.Join(root, "work"), filepath.Join(root, "data")
	for _, d := range []string{work, data} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// nobody may enter the tree and run the binary; only data is its own.
	for _, d := range []string{filepath.Dir(root), root} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(work, 0o555); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(data, uid, gid); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	env := []string{"PATH=/usr/bin:/bin", "DATABASE_PATH=" + filepath.Join(data, "briefbot.db"), "HTTP_ADDR=" + addr}
	asNobody := func(args ...string) *exec.Cmd {
		c := exec.Command(runuser, append([]string{"-u", "nobody", "--", bin}, args...)...)
		c.Dir, c.Env = work, env
		return c
	}

	bot := asNobody()
	stdin, err := bot.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out lockedBuffer
	bot.Stdout, bot.Stderr = &out, &out
	if err := bot.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- bot.Wait() }()
	t.Cleanup(func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			bot.Process.Kill()
			t.Errorf("the bot did not exit 15 s after its stdin closed")
		}
		if t.Failed() {
			t.Logf("bot output:\n%s", out.String())
		}
	})

	deadline := time.Now().Add(60 * time.Second) // a cold start on a loaded machine
	for {
		if err := asNobody("healthcheck").Run(); err == nil {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("the bot exited before it was healthy: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("briefbot healthcheck did not pass within 60 s")
		}
		time.Sleep(100 * time.Millisecond) // polling, bounded by the deadline
	}
	if code, body := httpGet(t, "http://"+addr+"/readyz"); code != http.StatusOK {
		t.Errorf("GET /readyz = %d %q; want 200", code, body)
	}
	st, err := os.Stat(filepath.Join(data, "briefbot.db"))
	if err != nil {
		t.Fatalf("no database in the data directory: %v", err)
	}
	if s, ok := st.Sys().(*syscall.Stat_t); ok && int(s.Uid) != uid {
		t.Errorf("database owned by uid %d; want nobody (%d)", s.Uid, uid)
	}
	if entries, _ := os.ReadDir(work); len(entries) > 0 {
		t.Errorf("the bot wrote %d entries into its read-only working directory", len(entries))
	}
	if strings.Contains(out.String(), "level=ERROR") {
		t.Errorf("the bot logged an error as nobody:\n%s", out.String())
	}
}
