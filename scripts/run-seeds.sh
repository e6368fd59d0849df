#!/usr/bin/env bash
# Set up, build the knowledge graph from seeds/ into ./kg-store, and ask it a first question.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/kg ingest seeds/ || [ $? -eq 1 ]   # exit 1 only means some file was rejected; it is reported
.venv/bin/kg validate --no-reasoner || true
echo
echo "Attacks in the graph (who, where, when, killed):"
.venv/bin/kg query --format csv '
SELECT ?attack ?type ?perpetrator ?place ?date ?killed WHERE {
  ?a a ckg:Attack ; rdfs:label ?attack ; a ?t .
  ?t rdfs:label ?type . FILTER(?t != ckg:Attack)
  OPTIONAL { ?a ckg:perpetrator/rdfs:label ?perpetrator }
  OPTIONAL { ?a ckg:location/rdfs:label ?place }
  OPTIONAL { ?a ckg:date ?date }
  OPTIONAL { ?a ckg:killed ?killed }
} ORDER BY ?date LIMIT 20'
echo
echo "Browse it: .venv/bin/kg serve   then open http://127.0.0.1:5000/"
