-- wrk script: POST a webhook-sized signed-looking JSON body (the receiver alone)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Idempotency-Key"] = "0123456789abcdef0123456789abcdef"
wrk.headers["X-Hoso-Signature"] = "sha256=" .. string.rep("0", 64)
wrk.body = '{"data":{},"dossier":{"agency_code":"000.00.12.H21","id":1,"portal_code":null},' ..
  '"event":"delivered","id":"0123456789abcdef0123456789abcdef","item":{"state":"DELIVERED",' ..
  '"tracking_number":"DK402718118VN"},"time":"2026-11-27T20:00:00+07:00"}'
