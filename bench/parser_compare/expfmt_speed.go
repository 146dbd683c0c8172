// Parses one Prometheus text page with prometheus/common expfmt's TextParser, again and
// again for at least -seconds, and prints "expfmt <MB/s> <samples per page>" (10^6 bytes).
// Built offline against Debian's golang-github-prometheus-common-dev by parser_compare.sh.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/prometheus/common/expfmt"
)

func parse(page []byte) (int, error) {
	var parser expfmt.TextParser
	families, err := parser.TextToMetricFamilies(bytes.NewReader(page))
	samples := 0
	for _, family := range families {
		samples += len(family.GetMetric())
	}
	return samples, err
}

func main() {
	seconds := flag.Float64("seconds", 2, "how long to keep parsing")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: expfmt_speed [-seconds S] PAGE")
		os.Exit(2)
	}
	page, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	samples, err := parse(page)
	if err != nil {
		fmt.Fprintln(os.Stderr, "expfmt:", err)
		os.Exit(1)
	}
	pages := 0
	start := time.Now()
	for time.Since(start).Seconds() < *seconds {
		for i := 0; i < 100; i++ {
			parse(page)
		}
		pages += 100
	}
	elapsed := time.Since(start).Seconds()
	fmt.Printf("expfmt %.1f %d\n", float64(pages)*float64(len(page))/elapsed/1e6, samples)
}
