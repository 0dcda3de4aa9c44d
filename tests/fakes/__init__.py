"""Local fake servers for the remote paid services (cloud TTS, MT). Test-only: each speaks the vendor's
documented request/response shape and can be told to fail (see ``server.FakeVendor``)."""
