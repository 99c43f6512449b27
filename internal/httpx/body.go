package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// DecodeJSON decodes one JSON value from r as a stream, reading at most limit bytes.
func DecodeJSON(r io.Reader, limit int64, v any) error {
	dec := json.NewDecoder(CapReader(r, limit))
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, ErrBodyTooLarge) {
			return err
		}
		return fmt.Errorf("decoding response: %w", err)
	}
	return nil
}

// Drain discards up to limit bytes so the connection can be reused, then closes body.
func Drain(body io.ReadCloser, limit int64) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, limit))
	_ = body.Close()
}
