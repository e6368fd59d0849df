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
SELECT ?attack (GROUP_CONCAT(DISTINCT ?typeName; separator=", ") AS ?type)
       (GROUP_CONCAT(DISTINCT ?who; separator="; ") AS ?perpetrator)
       (GROUP_CONCAT(DISTINCT ?where; separator="; ") AS ?place)
       (MIN(STR(?when)) AS ?date) (MAX(?dead) AS ?killed)
WHERE {
  ?attack a ?t . ?t rdfs:subClassOf+ ckg:Attack ; rdfs:label ?typeName .
  OPTIONAL { ?attack ckg:perpetrator/rdfs:label ?who }
  OPTIONAL { ?attack ckg:location/rdfs:label ?where }
  OPTIONAL { ?attack ckg:date ?when }
  OPTIONAL { ?attack ckg:killed ?dead }
} GROUP BY ?attack ORDER BY ?date'
echo
echo "Browse it: .venv/bin/kg serve   then open http://127.0.0.1:5000/"
