/*
Copyright 2026 The scimbridge Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package scim

import (
	"context"
	"fmt"
	"io"
	"iter"
	"net/url"
	"strconv"
	"strings"
)

// ListOptions narrows a list. The zero value lists everything.
type ListOptions struct {
	// Filter is a SCIM filter; build it with eqFilter to escape values.
	Filter             string
	Attributes         []string
	ExcludedAttributes []string
	// PageSize overrides Options.PageSize.
	PageSize int
	// IncludeMembers asks ListGroups for members, which it excludes by default.
	IncludeMembers bool
}

// encodeQuery encodes parameters with %20 for spaces: filters are full of
// spaces and some servers do not read "+" as one.
func encodeQuery(v url.Values) string {
	return strings.ReplaceAll(v.Encode(), "+", "%20")
}

func (o ListOptions) values() url.Values {
	v := url.Values{}
	if o.Filter != "" {
		v.Set("filter", o.Filter)
	}
	if len(o.Attributes) > 0 {
		v.Set("attributes", strings.Join(o.Attributes, ","))
	}
	if len(o.ExcludedAttributes) > 0 {
		v.Set("excludedAttributes", strings.Join(o.ExcludedAttributes, ","))
	}
	return v
}

// fetchPage gets one page starting at the 1-based index start.
func fetchPage[T any](ctx context.Context, c *Client, op, endpoint string, lo ListOptions, start, count int) (listPage[T], error) {
	v := lo.values()
	v.Set("startIndex", strconv.Itoa(start))
	v.Set("count", strconv.Itoa(count))
	var p listPage[T]
	err := c.do(ctx, &call{
		op: op, method: "GET", path: endpoint, query: encodeQuery(v), limit: c.opts.MaxListBytes,
		decode: func(r io.Reader) error {
			var err error
			p, err = decodeListPage[T](r)
			return err
		},
	})
	return p, err
}

// list streams every resource across pages. It advances by the number of
// resources actually returned, so servers that cap or ignore count work,
// and it stops at totalResults. An empty page before totalResults is
// ErrIncomplete: a listing cut short must never pass for a complete one.
func list[T any](ctx context.Context, c *Client, op, endpoint string, lo ListOptions, id func(T) string) iter.Seq2[T, error] {
	count := lo.PageSize
	if count <= 0 {
		count = c.opts.PageSize
	}
	return func(yield func(T, error) bool) {
		var zero T
		start, prevFirst := 1, ""
		for {
			p, err := fetchPage[T](ctx, c, op, endpoint, lo, start, count)
			if err != nil {
				yield(zero, err)
				return
			}
			n := len(p.Resources)
			if n > 0 {
				// A server that ignores startIndex would loop forever.
				first := id(p.Resources[0])
				if start > 1 && first != "" && first == prevFirst {
					yield(zero, fmt.Errorf("scim %s: %w: server ignores startIndex", op, ErrInvalidResponse))
					return
				}
				prevFirst = first
			}
			for _, r := range p.Resources {
				if !yield(r, nil) {
					return
				}
			}
			start += n
			if n == 0 && p.Total >= 0 && start <= p.Total {
				yield(zero, fmt.Errorf("scim %s: %w: empty page at startIndex %d of %d", op, ErrIncomplete, start, p.Total))
				return
			}
			if n == 0 || (p.Total >= 0 && start > p.Total) {
				return
			}
		}
	}
}

// findOne returns the first resource matching filter, or ErrNotFound.
func findOne[T any](ctx context.Context, c *Client, op, endpoint, filter string, lo ListOptions) (T, error) {
	lo.Filter = filter
	var zero T
	p, err := fetchPage[T](ctx, c, op, endpoint, lo, 1, 1)
	if err != nil {
		return zero, err
	}
	if len(p.Resources) == 0 {
		return zero, fmt.Errorf("scim %s: %w: no resource matches the filter", op, ErrNotFound)
	}
	return p.Resources[0], nil
}
