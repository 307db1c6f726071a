"""A short session with the Python client generated from riskgraph's
OpenAPI document (openapi-python-client; scripts/api-conformance.sh makes
it as the package riskgraph_client): what an integrating engineer does
first. Every answer must parse into the generated types.

Env: RISKGRAPH_URL (base URL), RISKGRAPH_KEY (an inspector's key),
RISKGRAPH_ADMIN_KEY (an admin's key, for the refused case).
"""

import os
import sys

from riskgraph_client import AuthenticatedClient
from riskgraph_client.api.enterprises import (
    get_api_v1_enterprises_key,
    get_api_v1_enterprises_key_network,
    get_api_v1_enterprises_key_risk,
    post_api_v1_enterprises_batch,
)
from riskgraph_client.api.reports import get_api_v1_reports
from riskgraph_client.api.search import get_api_v1_search
from riskgraph_client.api.ranking import get_api_v1_ranking
from riskgraph_client.models import (
    BatchRequestInput,
    BatchView,
    EnterpriseProfile,
    ErrorBody,
    Graph,
    RankingView,
    ReportsView,
    RiskView,
    SearchView,
)

failures = []


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + (": " + detail if detail and not ok else ""))
    if not ok:
        failures.append(what)


def main():
    client = AuthenticatedClient(base_url=os.environ["RISKGRAPH_URL"], token=os.environ["RISKGRAPH_KEY"],
                                 raise_on_unexpected_status=True)
    # The riskiest enterprise, then search for it by the first characters of its name.
    ranking = get_api_v1_ranking.sync(client=client, limit=5)
    check("ranking parses", isinstance(ranking, RankingView), repr(ranking))
    top = ranking.ranking.items[0]
    found = get_api_v1_search.sync(client=client, q=top.name[:4], limit=50)
    check("search parses", isinstance(found, SearchView), repr(found))
    check("search finds the top enterprise", any(h.ref.key == top.ref.key for h in found.hits),
          f"{top.ref.key} not among {[h.ref.key for h in found.hits]}")
    key = top.ref.key

    profile = get_api_v1_enterprises_key.sync(client=client, key=key)
    check("profile parses", isinstance(profile, EnterpriseProfile), repr(profile))
    check("profile is the enterprise asked for", profile.enterprise.key == key)

    risk = get_api_v1_enterprises_key_risk.sync(client=client, key=key)
    check("risk parses", isinstance(risk, RiskView), repr(risk))
    check("risk grade is A to D", risk.grade in ("A", "B", "C", "D"), repr(risk.grade))

    net = get_api_v1_enterprises_key_network.sync(client=client, key=key, depth=1, limit=50)
    check("network parses", isinstance(net, Graph), repr(net))
    check("network holds the enterprise", any(n.id == "enterprise:" + key for n in net.nodes))

    batch = post_api_v1_enterprises_batch.sync(client=client, body=BatchRequestInput(keys=[key, "src:none:0"]))
    check("batch parses", isinstance(batch, BatchView), repr(batch))
    check("batch finds one, misses one",
          [e.key for e in batch.enterprises] == [key] and [m.key for m in batch.missing] == ["src:none:0"], repr(batch))

    reports = get_api_v1_reports.sync(client=client, limit=5)
    check("report listing parses", isinstance(reports, ReportsView), repr(reports))
    check("a report is listed", len(reports.reports) >= 1)

    # An error is the documented problem: a dashboard-only caller is not
    # needed; an unknown enterprise is 404 with the problem body.
    lenient = AuthenticatedClient(base_url=os.environ["RISKGRAPH_URL"], token=os.environ["RISKGRAPH_KEY"])
    missing = get_api_v1_enterprises_key.sync_detailed(client=lenient, key="src:none:0")
    check("an unknown enterprise is 404 with a problem body",
          missing.status_code == 404 and isinstance(missing.parsed, ErrorBody) and missing.parsed.status == 404
          and "src:none:0" in missing.parsed.detail, f"{missing.status_code} {missing.parsed!r}")

    print(f"client check: {9 + 5 - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
