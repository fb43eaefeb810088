package main

import "flag"

// parseInterspersed lets flags come after positional arguments, as kubectl
// users type them ("get deploy web -n prod"); the flag package stops at the
// first non-flag.
func parseInterspersed(fs *flag.FlagSet, rest []string) []string {
	var args []string
	for len(rest) > 0 {
		_ = fs.Parse(rest) // ExitOnError: a bad flag exits with usage
		rest = fs.Args()
		if len(rest) > 0 {
			args, rest = append(args, rest[0]), rest[1:]
		}
	}
	return args
}
