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

package oktaserver

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// adminRoutes is a small HTTP API so another process (the local demo) can
// drive the emulator. It is unauthenticated: the server binds loopback only.
//
//	POST   /__admin/users                           {"status":..,"profile":{..}} → 201 {"id":..}
//	POST   /__admin/users/{id}/lifecycle/{op}       activate|suspend|unsuspend|deactivate|reactivate|unlock|lock|expire
//	POST   /__admin/users/{id}/profile              {"attr": value|null}  (merge)
//	DELETE /__admin/users/{id}
//	POST   /__admin/groups                          {"name":..,"description":..} → 201 {"id":..}
//	POST   /__admin/groups/{id}/rename              {"name":..}
//	DELETE /__admin/groups/{id}
//	POST   /__admin/groups/{id}/members/{userId}
//	DELETE /__admin/groups/{id}/members/{userId}
//	POST   /__admin/seed                            Seed JSON
//	POST   /__admin/faults                          {"latencyMs":..,"outage":{..},"force429":..,"forbidden":..}
//	DELETE /__admin/faults
//	POST   /__admin/tokens/revoke
//	POST   /__admin/eventHooks                      HookOptions (verifies, then delivers)
//	DELETE /__admin/eventHooks
//	GET    /__admin/eventHooks                      HookStats
//	GET    /__admin/counts                          [{"endpoint":..,"status":..,"count":..}]
func (s *Server) adminRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /__admin/users", func(w http.ResponseWriter, r *http.Request) {
		var body SeedUser
		if !decodeAdmin(w, r, &body) {
			return
		}
		id, err := s.AddUser(UserSpec{Status: body.Status, Profile: body.Profile})
		adminCreated(w, id, err)
	})
	mux.HandleFunc("POST /__admin/users/{id}/lifecycle/{op}", func(w http.ResponseWriter, r *http.Request) {
		adminDone(w, s.Lifecycle(r.PathValue("id"), r.PathValue("op")))
	})
	mux.HandleFunc("POST /__admin/users/{id}/profile", func(w http.ResponseWriter, r *http.Request) {
		var attrs map[string]any
		if decodeAdmin(w, r, &attrs) {
			adminDone(w, s.UpdateProfile(r.PathValue("id"), attrs))
		}
	})
	mux.HandleFunc("DELETE /__admin/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		adminDone(w, s.DeleteUser(r.PathValue("id")))
	})
	mux.HandleFunc("POST /__admin/groups", func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Name, Description string }
		if !decodeAdmin(w, r, &body) {
			return
		}
		id, err := s.AddGroup(GroupSpec{Name: body.Name, Description: body.Description})
		adminCreated(w, id, err)
	})
	mux.HandleFunc("POST /__admin/groups/{id}/rename", func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Name string }
		if decodeAdmin(w, r, &body) {
			adminDone(w, s.RenameGroup(r.PathValue("id"), body.Name))
		}
	})
	mux.HandleFunc("DELETE /__admin/groups/{id}", func(w http.ResponseWriter, r *http.Request) {
		adminDone(w, s.DeleteGroup(r.PathValue("id")))
	})
	mux.HandleFunc("POST /__admin/groups/{id}/members/{userId}", func(w http.ResponseWriter, r *http.Request) {
		adminDone(w, s.AddMember(r.PathValue("id"), r.PathValue("userId")))
	})
	mux.HandleFunc("DELETE /__admin/groups/{id}/members/{userId}", func(w http.ResponseWriter, r *http.Request) {
		adminDone(w, s.RemoveMember(r.PathValue("id"), r.PathValue("userId")))
	})
	mux.HandleFunc("POST /__admin/seed", func(w http.ResponseWriter, r *http.Request) {
		adminDone(w, s.LoadJSON(http.MaxBytesReader(w, r.Body, 256<<20)))
	})
	mux.HandleFunc("POST /__admin/faults", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			LatencyMs int     `json:"latencyMs"`
			Outage    *Outage `json:"outage"`
			Force429  int     `json:"force429"`
			Forbidden bool    `json:"forbidden"`
		}
		if !decodeAdmin(w, r, &body) {
			return
		}
		s.SetLatency(time.Duration(body.LatencyMs) * time.Millisecond)
		if body.Outage != nil {
			s.InjectOutage(*body.Outage)
		}
		s.Inject429(body.Force429)
		s.SetForbidden(body.Forbidden)
		adminDone(w, nil)
	})
	mux.HandleFunc("DELETE /__admin/faults", func(w http.ResponseWriter, r *http.Request) {
		s.ClearFaults()
		adminDone(w, nil)
	})
	mux.HandleFunc("POST /__admin/tokens/revoke", func(w http.ResponseWriter, r *http.Request) {
		s.RevokeTokens()
		adminDone(w, nil)
	})
	mux.HandleFunc("POST /__admin/eventHooks", func(w http.ResponseWriter, r *http.Request) {
		var body HookOptions
		if decodeAdmin(w, r, &body) {
			adminDone(w, s.RegisterEventHook(body))
		}
	})
	mux.HandleFunc("DELETE /__admin/eventHooks", func(w http.ResponseWriter, r *http.Request) {
		s.StopEventHooks()
		adminDone(w, nil)
	})
	mux.HandleFunc("GET /__admin/eventHooks", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.HookStats())
	})
	mux.HandleFunc("GET /__admin/counts", func(w http.ResponseWriter, r *http.Request) {
		type row struct {
			Endpoint string `json:"endpoint"`
			Status   int    `json:"status"`
			Count    int64  `json:"count"`
		}
		out := []row{}
		for k, v := range s.Counts() {
			out = append(out, row{k.Endpoint, k.Status, v})
		}
		writeJSON(w, http.StatusOK, out)
	})
}

func decodeAdmin(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, codeValidation, "Api validation failed: body", err.Error())
		return false
	}
	return true
}

func adminStatus(err error) int {
	switch {
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, ErrConflict):
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

func adminDone(w http.ResponseWriter, err error) {
	if err != nil {
		writeError(w, adminStatus(err), codeValidation, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func adminCreated(w http.ResponseWriter, id string, err error) {
	if err != nil {
		writeError(w, adminStatus(err), codeValidation, err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"id": id})
}
