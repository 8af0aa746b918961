// Package blackbox holds black-box tests that probe any live instance of the
// service over HTTP. They need SERVICE_URL (e.g. http://127.0.0.1:8080) and
// skip without it; EXPECT_VERSION and EXPECT_COMMIT, when set, check the
// build-time version stamp:
//
//	SERVICE_URL=http://127.0.0.1:8080 EXPECT_VERSION=v1.2.3 go test ./blackbox/
package blackbox
