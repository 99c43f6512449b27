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

package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
)

// ErrBodyTooLarge is returned when a response body exceeds its cap.
var ErrBodyTooLarge = errors.New("response body exceeds size limit")

// cappedReader fails with ErrBodyTooLarge instead of silently truncating, so a
// cut-off list page can never be mistaken for a complete one.
type cappedReader struct {
	r         io.Reader
	remaining int64
}

// CapReader wraps r so that reading more than limit bytes fails.
func CapReader(r io.Reader, limit int64) io.Reader {
	return &cappedReader{r: r, remaining: limit}
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.remaining <= 0 {
		// Probe one byte: a body of exactly limit bytes is fine.
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			return 0, ErrBodyTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > c.remaining {
		p = p[:c.remaining]
	}
	n, err := c.r.Read(p)
	c.remaining -= int64(n)
	return n, err
}

// ReadAll reads at most limit bytes from r.
func ReadAll(r io.Reader, limit int64) ([]byte, error) {
	return io.ReadAll(CapReader(r, limit))
}

// DecodeJSON decodes the JSON value of a body of at most limit bytes.
func DecodeJSON(r io.Reader, limit int64, v any) error {
	return DecodeBody(r, limit, func(body []byte) error { return json.Unmarshal(body, v) })
}

// DecodeBody reads a whole body of at most limit bytes into a pooled buffer
// and hands it to decode, which must not keep it: a page of a thousand
// users is read into memory that the next page reuses, instead of a buffer
// grown (and dropped) page after page.
func DecodeBody(r io.Reader, limit int64, decode func(body []byte) error) error {
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer putBodyBuffer(buf)
	buf.Reset()
	if _, err := buf.ReadFrom(CapReader(r, limit)); err != nil {
		if errors.Is(err, ErrBodyTooLarge) {
			return err
		}
		return fmt.Errorf("reading response: %w", err)
	}
	if err := decode(buf.Bytes()); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) && syntax.Offset >= int64(buf.Len()) {
			// The body ended inside its value: it was cut short, which is
			// as transient as a broken connection.
			err = fmt.Errorf("%w: %w", io.ErrUnexpectedEOF, err)
		}
		return fmt.Errorf("decoding response: %w", err)
	}
	return nil
}

var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBody bounds what the pool keeps: an exceptional body (a group of
// 100k members) is not pinned in memory for the next ordinary one.
const maxPooledBody = 8 << 20

func putBodyBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBody {
		bodyBuffers.Put(b)
	}
}

// Drain discards up to limit bytes so the connection can be reused, then closes body.
func Drain(body io.ReadCloser, limit int64) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, limit))
	_ = body.Close()
}
