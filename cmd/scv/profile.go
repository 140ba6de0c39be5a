package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiles starts the CPU profile that --cpuprofile asks for.
func (a *app) startProfiles() error {
	if a.cpuProf == "" {
		return nil
	}
	f, err := os.Create(a.cpuProf)
	if err != nil {
		return fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("cpu profile: %w", err)
	}
	a.cpuFile = f
	return nil
}

// stopProfiles ends the CPU profile and writes the heap profile, if asked.
func (a *app) stopProfiles() error {
	var errs []error
	if a.cpuFile != nil {
		pprof.StopCPUProfile()
		errs = append(errs, a.cpuFile.Close())
		a.cpuFile = nil
	}
	if a.memProf != "" {
		f, err := os.Create(a.memProf)
		if err != nil {
			return fmt.Errorf("heap profile: %w", err)
		}
		runtime.GC()
		errs = append(errs, pprof.WriteHeapProfile(f), f.Close())
	}
	return errors.Join(errs...)
}
