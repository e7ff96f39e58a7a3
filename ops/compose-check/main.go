// compose-check loads a Compose file the way Docker Compose does (compose-go: the Compose
// specification's schema, interpolation, references between services) and prints the
// resolved model, or what is wrong with it. No Docker engine is needed.
//
//	go run ./ops/compose-check docker-compose.yml [NAME=VALUE ...]
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check FILE [NAME=VALUE ...]")
		os.Exit(2)
	}
	file, err := filepath.Abs(os.Args[1])
	if err != nil {
		fail(err)
	}
	env := os.Args[2:]
	options, err := cli.NewProjectOptions(
		[]string{file},
		cli.WithWorkingDirectory(filepath.Dir(file)),
		cli.WithEnv(env),
		cli.WithResolvedPaths(true),
		cli.WithConsistency(true),
		cli.WithName("platform"),
	)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	rendered, err := project.MarshalYAML()
	if err != nil {
		fail(err)
	}
	fmt.Print(string(rendered))
	fmt.Fprintf(os.Stderr, "compose-check: %s is valid: services %s\n", os.Args[1],
		strings.Join(project.ServiceNames(), ", "))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "compose-check:", err)
	os.Exit(1)
}
