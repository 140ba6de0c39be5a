// Command scv is the single-customer-view service: it syncs customer
// records from silos, resolves them into one profile per person, reports
// on data quality and serves the profiles over gRPC.
//
// Usage:
//
//	scv <command> [flags]
//
// Run "scv help" for the list of commands and "scv <command> --help" for
// the flags of one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/hashicorp/go-hclog"
	"golang.org/x/term"
)

// defaultMemoryLimit is the soft heap limit when GOMEMLIMIT is unset. A
// full resolution of a million records holds about 2.3 GB live; without a
// limit the collector lets the heap grow to twice that before it runs,
// and bbolt's mapping of the store file comes on top. Larger stores set
// GOMEMLIMIT higher.
const defaultMemoryLimit = 2560 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// app is what every command gets: its output streams, its logger and
// whether a person is watching (progress is shown only then).
type app struct {
	stdout      io.Writer
	stderr      io.Writer
	logger      hclog.Logger
	interactive bool

	logLevel string
	logJSON  bool
	cpuProf  string
	memProf  string
	cpuFile  *os.File
	prog     progressState
}

// command is one subcommand of scv.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, a *app, args []string) error
}

func commands() []command {
	return []command{
		{"sync", "pull changed records from the configured sources, normalize, store and resolve them", runSync},
		{"resolve", "re-resolve every stored record into profiles (syncs sources the store lacks)", runResolve},
		{"serve", "serve the profiles over gRPC", runServe},
		{"explain", "explain how two stored records compare, or where each golden value of a profile came from", runExplain},
		{"changes", "print the profile change log: created, updated, merged, split and deleted profiles", runChanges},
		{"demo", "run the whole pipeline on the bundled demo silos and print profiles and quality", runDemo},
		{"gen", "write synthetic siloed sources with truth.csv and scv.hcl", runGen},
		{"eval", "score exported clusters against a truth file: pairwise precision, recall, F1", runEval},
		{"audit", "report data quality per source and field, source overlap and marketing reach", runAudit},
	}
}

// usageError is a command-line mistake; scv exits 2 on it.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// exitError carries a specific exit code, such as 3 for a failed quality gate.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr}
	if f, ok := stderr.(*os.File); ok {
		a.interactive = term.IsTerminal(int(f.Fd()))
	}
	if len(args) == 0 {
		a.usage(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		a.usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(ctx, a, args[1:])
		if perr := a.stopProfiles(); err == nil {
			err = perr
		}
		return a.exitCode(name, err)
	}
	fmt.Fprintf(stderr, "scv: unknown command %q\n\n", name)
	a.usage(stderr)
	return 2
}

func (a *app) exitCode(name string, err error) int {
	var ue usageError
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(a.stderr, "scv %s: %s\nRun 'scv %s --help' for usage.\n", name, ue.msg, name)
		return 2
	case errors.As(err, &ee):
		if ee.err != nil && ee.code != 0 {
			fmt.Fprintf(a.stderr, "scv %s: %v\n", name, ee.err)
		}
		return ee.code
	default:
		fmt.Fprintf(a.stderr, "scv %s: %v\n", name, err)
		return 1
	}
}

func (a *app) usage(w io.Writer) {
	fmt.Fprintf(w, "scv keeps one customer profile per real person across your data silos.\n\nUsage:\n  scv <command> [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nEvery command takes --log-level (trace|debug|info|warn|error, default info) and --log-json.\nRun 'scv <command> --help' for its flags.\n")
}

// flags returns a FlagSet for command name with the flags every command
// shares. synopsis is the usage line after "scv name".
func (a *app) flags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.StringVar(&a.logLevel, "log-level", "info", "log level: trace, debug, info, warn or error")
	fs.BoolVar(&a.logJSON, "log-json", false, "log structured JSON lines instead of text")
	fs.StringVar(&a.cpuProf, "cpuprofile", "", "write a pprof CPU profile of the command to `file`")
	fs.StringVar(&a.memProf, "memprofile", "", "write a pprof heap profile to `file` when the command ends")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: scv %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args into fs, sets up the logger and turns flag mistakes
// into usage errors. It returns flag.ErrHelp for --help.
func (a *app) parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(a.stderr)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(a.stdout)
		fs.Usage()
		return err
	}
	if err != nil {
		return usageError{err.Error()}
	}
	level := hclog.LevelFromString(a.logLevel)
	if level == hclog.NoLevel {
		return usageError{fmt.Sprintf("unknown log level %q", a.logLevel)}
	}
	a.logger = hclog.New(&hclog.LoggerOptions{
		Name:       "scv",
		Level:      level,
		Output:     a.stderr,
		JSONFormat: a.logJSON,
		Color:      hclog.ColorOff,
	})
	return a.startProfiles()
}

// configFlag adds --config, the configuration file, to fs.
func configFlag(fs *flag.FlagSet) *string {
	return fs.String("config", "", "path of the HCL configuration `file`")
}

// parseConfig parses args like parse, then rejects positional arguments
// and requires the --config flag that configFlag added.
func (a *app) parseConfig(fs *flag.FlagSet, args []string, cfgPath *string) error {
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	return requireFlag("config", *cfgPath)
}

// noArgs rejects positional arguments left after the flags.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", strings.Join(fs.Args(), " "))}
	}
	return nil
}

// requireFlag reports a usage error when a mandatory flag is empty.
func requireFlag(name, value string) error {
	if value == "" {
		return usageError{fmt.Sprintf("--%s is required", name)}
	}
	return nil
}
