"""Contract tests: schemathesis against a live server.

Compatibility shim: schemathesis 4.32.5's `from_fixture(...).parametrize()` renames the running
test to "test[GET /path]" for each operation through `request.node._nodeid`, an attribute
pytest 9.2 no longer has (a node keeps a structured `_id` and `nodeid` is derived from it), so
every lazy-schema test fails with "AttributeError: 'Function' object has no attribute
'_nodeid'". This puts the old attribute back as a property over `_id`; it does nothing on a
pytest that still has `_nodeid`, and can go once schemathesis stops using it.
"""

from _pytest.nodes import Node

if not hasattr(Node, "_nodeid"):
    from _pytest.nodeid import coerce_node_id

    def _get_nodeid(node):
        return node._id

    def _set_nodeid(node, value):
        node._id = coerce_node_id(value)

    Node._nodeid = property(_get_nodeid, _set_nodeid)
