from tests.conftest import assert_envelope

ESPEAK_EN = [{"voice_id": "en-us", "provider": "espeak", "model": "espeak-ng"}]


def defn(text="Hello there.\nSecond line."):
    return {"graph": {"nodes": [
        {"id": "src", "type": "source_script", "position": {"x": 0, "y": 0}, "config": {"text": text}},
        {"id": "gen", "type": "operator_generator", "position": {"x": 300, "y": 0},
         "config": {"voice_map": {"en-us": ESPEAK_EN}}},
        {"id": "out", "type": "sink_preview", "position": {"x": 600, "y": 0}, "config": {"format": "wav"}},
    ], "edges": [
        {"id": "e1", "source": "src", "sourcePort": "lines", "target": "gen", "targetPort": "lines"},
        {"id": "e2", "source": "gen", "sourcePort": "lines", "target": "out", "targetPort": "lines"},
    ]}}


def create(api, name="Promo", **kw):
    body = {"name": name, "definition": kw.pop("definition", defn()), **kw}
    return assert_envelope(api.post("/api/v1/templates", json=body), 201)["data"]


def gallery(api, query=""):
    return assert_envelope(api.get("/api/v1/templates" + query))


def text_of(t):
    return t["definition"]["graph"]["nodes"][0]["config"]["text"]
