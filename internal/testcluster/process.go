package testcluster

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// process is one running binary of the cluster, with its log file and the
// pid file that lets a later harness stop it if this one dies first.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	pidFile string

	done    chan struct{} // closed when the process has exited
	waitErr error         // set before done is closed
	once    sync.Once
}

// pidRecord is what a pid file holds. Start times (from /proc) guard against
// pid reuse: a recorded pid is only signalled when the process with that pid
// is still the one we started.
type pidRecord struct {
	HarnessPID   int    `json:"harnessPID"`
	HarnessStart uint64 `json:"harnessStart"`
	PID          int    `json:"pid"`
	Start        uint64 `json:"start"`
	Name         string `json:"name"`
	Dir          string `json:"dir"`
}

// runDir holds the pid files of every harness on this machine and user.
func runDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(base, "anykube", "run")
	return dir, os.MkdirAll(dir, 0o755)
}

// startProcess runs bin with args and the harness's environment plus env,
// logging to dir/<name>.log, and records its pid. The child gets SIGKILL
// when the harness dies (Pdeathsig) and has its own process group so a stop
// reaches anything it forks.
func startProcess(name, bin string, args []string, dir string, env ...string) (*process, error) {
	logPath := filepath.Join(dir, name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.Dir = dir
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	logf.Close() // the child holds its own descriptor
	p := &process{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	if rd, err := runDir(); err == nil {
		rec := pidRecord{
			HarnessPID: os.Getpid(), HarnessStart: procStart(os.Getpid()),
			PID: cmd.Process.Pid, Start: procStart(cmd.Process.Pid),
			Name: name, Dir: dir,
		}
		data, _ := json.Marshal(rec)
		p.pidFile = filepath.Join(rd, fmt.Sprintf("%d-%s-%d.json", rec.HarnessPID, name, rec.PID))
		if err := os.WriteFile(p.pidFile, data, 0o644); err != nil {
			p.pidFile = ""
		}
	}
	return p, nil
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// failure describes an early exit: which process, how, and its log's tail.
func (p *process) failure() error {
	return fmt.Errorf("%s exited: %v\n--- last lines of %s ---\n%s", p.name, p.waitErr, p.logPath, p.logTail(30))
}

// logTail returns the last n lines of the process's log.
func (p *process) logTail(n int) string {
	data, err := os.ReadFile(p.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	return tail(data, n)
}

// stop terminates the process group: SIGTERM, then SIGKILL after grace.
func (p *process) stop(grace time.Duration) {
	p.once.Do(func() {
		if !p.exited() {
			syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(grace):
				syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
				<-p.done
			}
		}
		if p.pidFile != "" {
			os.Remove(p.pidFile)
		}
	})
}

// procStart returns a process's start time in clock ticks since boot, or 0
// when it does not exist or has ended (a zombie not yet reaped).
func procStart(pid int) uint64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may contain spaces and parentheses; the
	// fields after the last ')' are fixed: state is field 3, starttime 22.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 20 || fields[0] == "Z" || fields[0] == "X" {
		return 0
	}
	v, _ := strconv.ParseUint(fields[19], 10, 64)
	return v
}

// alive reports whether pid is running and is the process that started at
// start.
func alive(pid int, start uint64) bool {
	return pid > 0 && start != 0 && procStart(pid) == start
}

// sweepStale stops processes whose harness is gone, and removes their
// directories and pid files. It only acts on pid files this package wrote,
// never on processes found by name.
func sweepStale() []string {
	rd, err := runDir()
	if err != nil {
		return nil
	}
	entries, err := os.ReadDir(rd)
	if err != nil {
		return nil
	}
	var swept []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		path := filepath.Join(rd, e.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		var rec pidRecord
		if json.Unmarshal(data, &rec) != nil {
			os.Remove(path)
			continue
		}
		if alive(rec.HarnessPID, rec.HarnessStart) {
			continue
		}
		if alive(rec.PID, rec.Start) {
			syscall.Kill(-rec.PID, syscall.SIGKILL)
			syscall.Kill(rec.PID, syscall.SIGKILL)
			swept = append(swept, fmt.Sprintf("%s (pid %d)", rec.Name, rec.PID))
		}
		if rec.Dir != "" && isHarnessDir(rec.Dir) {
			os.RemoveAll(rec.Dir)
		}
		os.Remove(path)
	}
	return swept
}

// isHarnessDir guards RemoveAll: only directories this package creates
// (under the temp dir, with its prefix) are removed on a record's say-so.
func isHarnessDir(dir string) bool {
	clean := filepath.Clean(dir)
	return filepath.Dir(clean) == filepath.Clean(os.TempDir()) &&
		strings.HasPrefix(filepath.Base(clean), dirPrefix)
}
