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

package scimserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
)

// RFC 7644 §3.7 message schemas.
const (
	schemaBulkRequest  = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	schemaBulkResponse = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
	bulkIDPrefix       = "bulkId:"
)

type bulkRequest struct {
	Schemas      []string        `json:"schemas"`
	FailOnErrors *int            `json:"failOnErrors"`
	Operations   []bulkOperation `json:"Operations"`
}

type bulkOperation struct {
	Method  string          `json:"method"`
	Path    string          `json:"path"`
	BulkID  string          `json:"bulkId,omitempty"`
	Version string          `json:"version,omitempty"`
	Data    json.RawMessage `json:"data,omitempty"`
}

type bulkResult struct {
	Method   string          `json:"method"`
	BulkID   string          `json:"bulkId,omitempty"`
	Location string          `json:"location,omitempty"`
	Version  string          `json:"version,omitempty"`
	Status   string          `json:"status"`
	Response json.RawMessage `json:"response,omitempty"`
}

// serveBulk runs a BulkRequest: operations in order, each like the request
// it describes, "bulkId:" references resolved to the ids created earlier in
// the same request, and processing stopped after failOnErrors errors (none
// given: every operation is tried).
func (s *Server) serveBulk(w http.ResponseWriter, r *http.Request, api http.Handler, base string) {
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "", "use POST for /Bulk")
		return
	}
	limit := s.opts.BulkMaxPayload
	raw, err := io.ReadAll(io.LimitReader(r.Body, int64(limit)+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalidSyntax", err.Error())
		return
	}
	if len(raw) > limit {
		writeError(w, http.StatusRequestEntityTooLarge, "", fmt.Sprintf("the request is larger than maxPayloadSize %d", limit))
		return
	}
	var req bulkRequest
	if err := json.Unmarshal(raw, &req); err != nil || len(req.Schemas) != 1 || req.Schemas[0] != schemaBulkRequest {
		writeError(w, http.StatusBadRequest, "invalidSyntax", "not a BulkRequest")
		return
	}
	if len(req.Operations) > s.opts.BulkMaxOperations {
		writeError(w, http.StatusRequestEntityTooLarge, "tooMany", fmt.Sprintf("more than maxOperations %d", s.opts.BulkMaxOperations))
		return
	}
	created := map[string]string{}
	out := make([]bulkResult, 0, len(req.Operations))
	failures := 0
	for _, op := range req.Operations {
		if req.FailOnErrors != nil && *req.FailOnErrors > 0 && failures >= *req.FailOnErrors {
			break
		}
		res := s.bulkOp(r, api, base, op, created)
		if n, _ := strconv.Atoi(res.Status); n >= 400 {
			failures++
		}
		out = append(out, res)
	}
	s.bulkOps.Add(int64(len(out)))
	w.Header().Set("Content-Type", "application/scim+json")
	_ = json.NewEncoder(w).Encode(map[string]any{"schemas": []string{schemaBulkResponse}, "Operations": out})
}

// bulkOp runs one operation through the SCIM handler.
func (s *Server) bulkOp(r *http.Request, api http.Handler, base string, op bulkOperation, created map[string]string) bulkResult {
	res := bulkResult{Method: op.Method, BulkID: op.BulkID}
	fail := func(status int, scimType, detail string) bulkResult {
		rec := httptest.NewRecorder()
		writeError(rec, status, scimType, detail)
		res.Status, res.Response = strconv.Itoa(status), bytes.TrimSpace(rec.Body.Bytes())
		return res
	}
	method := strings.ToUpper(op.Method)
	switch {
	case method != http.MethodPost && method != http.MethodPut && method != http.MethodPatch && method != http.MethodDelete:
		return fail(http.StatusBadRequest, "invalidSyntax", "unsupported bulk method "+op.Method)
	case method == http.MethodPost && op.BulkID == "":
		return fail(http.StatusBadRequest, "invalidSyntax", "a POST needs a bulkId")
	}
	path, ok := resolvePath(op.Path, created)
	if !ok {
		return fail(http.StatusBadRequest, "invalidValue", "unresolved bulkId in path "+op.Path)
	}
	data, missing := resolveRefs(op.Data, created)
	if missing != "" {
		return fail(http.StatusBadRequest, "invalidValue", "bulkId "+missing+" was not created in this request")
	}
	if f := s.faults.takeIn(method, s.route(s.opts.BasePath+path), true, data); f != nil {
		return fail(cmpStatus(f.Status), "", "injected fault")
	}
	rec := s.dispatch(r, api, method, path, data)
	res.Status = strconv.Itoa(rec.Code)
	var body struct {
		ID   string `json:"id"`
		Meta struct {
			Version string `json:"version"`
		} `json:"meta"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	res.Version = body.Meta.Version
	switch {
	case rec.Code >= 400:
		res.Response = bytes.TrimSpace(rec.Body.Bytes())
	case method == http.MethodPost:
		created[op.BulkID] = body.ID
		res.Location = base + path + "/" + body.ID
	default:
		res.Location = base + path
	}
	return res
}

func cmpStatus(s int) int {
	if s == 0 {
		return http.StatusServiceUnavailable
	}
	return s
}

// dispatch serves one operation as if it were its own request.
func (s *Server) dispatch(r *http.Request, api http.Handler, method, path string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(r.Context(), method, path, bytes.NewReader(body))
	req.Host = r.Host
	req.Header.Set("Content-Type", "application/scim+json")
	req.Header.Set("Authorization", r.Header.Get("Authorization"))
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	return rec
}

// resolvePath replaces a "bulkId:" resource id in a path such as
// /Groups/bulkId:g1.
func resolvePath(path string, created map[string]string) (string, bool) {
	i := strings.Index(path, bulkIDPrefix)
	if i < 0 {
		return path, true
	}
	id, ok := created[path[i+len(bulkIDPrefix):]]
	return path[:i] + id, ok
}

// resolveRefs replaces every "bulkId:X" string in data by the id created
// for X, and names the first reference it could not resolve.
func resolveRefs(data json.RawMessage, created map[string]string) ([]byte, string) {
	if !bytes.Contains(data, []byte(bulkIDPrefix)) {
		return data, ""
	}
	var v any
	if json.Unmarshal(data, &v) != nil {
		return data, ""
	}
	missing := ""
	var walk func(any) any
	walk = func(x any) any {
		switch t := x.(type) {
		case map[string]any:
			for k, e := range t {
				t[k] = walk(e)
			}
		case []any:
			for i, e := range t {
				t[i] = walk(e)
			}
		case string:
			if ref, ok := strings.CutPrefix(t, bulkIDPrefix); ok {
				if id, ok := created[ref]; ok {
					return id
				}
				if missing == "" {
					missing = ref
				}
			}
		}
		return x
	}
	out, _ := json.Marshal(walk(v))
	return out, missing
}

// serveConfig answers /ServiceProviderConfig with Bulk advertised.
func (s *Server) serveConfig(w http.ResponseWriter, r *http.Request, api http.Handler) {
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, r)
	var cfg map[string]any
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &cfg) != nil {
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		return
	}
	cfg["bulk"] = map[string]any{"supported": true, "maxOperations": s.opts.BulkMaxOperations, "maxPayloadSize": s.opts.BulkMaxPayload}
	w.Header().Set("Content-Type", "application/scim+json")
	_ = json.NewEncoder(w).Encode(cfg)
}
