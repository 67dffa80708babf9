# test_gc.py: Wk.gc, the cycle collector, from Python
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Wk.gc against Python's gc module.

The cycles here are made of ``Node(Wk.Object)`` objects that have no
Python attributes: PyGObject then keeps no toggle reference on them, so
once the Python names are gone only the ``hold()`` references of the
cycle keep them alive, which is what the collector can see and break.

A cycle of objects whose wrappers DO carry Python state (an attribute set
on the instance) is another matter: PyGObject holds one GLib toggle
reference per such wrapper, which keeps the GObject alive from outside
the tracked objects, and the wrapper alive from the GObject. The Wk
collector counts the toggle reference as an outside reference and Python's
gc does not see the GObject side at all, so neither collects the cycle
(test_cycle_with_python_state_is_not_collected); breaking one link by hand
frees it.
"""

import gc as _stdlib_gc
import sys

import gi
gi.require_version('Wk', '1.0')
from gi.repository import GObject, Wk  # noqa: E402

import pytest  # noqa: E402


class Node(Wk.Object):
    """No Python attributes: no toggle reference."""


class Stateful(Wk.Object):
    """Instances get a Python attribute: PyGObject toggles them."""


def make_cycle(cls=Node):
    a, b, c = cls(), cls(), cls()
    a.hold(b)
    b.hold(c)
    c.hold(a)
    return a, b, c


def same(x, y):
    return hash(x) == hash(y)   # the GObject's address


@pytest.fixture(autouse=True)
def clean_collector():
    Wk.gc.collect()
    threshold = Wk.gc.get_threshold()
    mode = Wk.gc.get_auto_mode()
    enabled = Wk.gc.isenabled()
    yield
    Wk.gc.callbacks.clear()
    Wk.gc.set_debug(0)
    Wk.gc.set_threshold(*threshold)
    Wk.gc.set_auto_mode(mode)
    if enabled:
        Wk.gc.enable()
    else:
        Wk.gc.disable()
    while Wk.gc.get_freeze_count():
        Wk.gc.unfreeze()
    Wk.gc.collect()


def test_module_shape():
    import gi.overrides.Wk as override
    assert 'gc' in override.__all__
    assert Wk.gc is override.gc
    for name in ('enable', 'disable', 'isenabled', 'collect', 'get_count',
                 'get_threshold', 'set_threshold', 'get_objects', 'get_stats',
                 'is_tracked', 'get_referrers', 'get_referents', 'freeze',
                 'unfreeze', 'get_freeze_count', 'set_debug', 'get_debug',
                 'set_auto_mode', 'get_auto_mode'):
        assert callable(getattr(Wk.gc, name)), name
    # The same flag values as the stdlib's.
    for name in ('DEBUG_STATS', 'DEBUG_COLLECTABLE', 'DEBUG_UNCOLLECTABLE',
                 'DEBUG_SAVEALL', 'DEBUG_LEAK'):
        assert getattr(Wk.gc, name) == getattr(_stdlib_gc, name), name
    assert Wk.gc.AUTO_IDLE == Wk.GcAutoMode.IDLE
    assert Wk.gc.AUTO_ALLOC == Wk.GcAutoMode.ALLOC
    assert isinstance(Wk.gc.callbacks, list)


def test_three_object_cycle_is_collected():
    a, b, c = make_cycle()
    refs = [Wk.ref(x) for x in (a, b, c)]
    del a, b, c
    # Reference counting never frees it.
    assert all(r() is not None for r in refs)
    assert Wk.gc.collect() == 3
    assert all(r() is None for r in refs)
    assert Wk.gc.collect() == 0


def test_collect_generations():
    with pytest.raises(ValueError, match='invalid generation'):
        Wk.gc.collect(3)
    with pytest.raises(ValueError, match='invalid generation'):
        Wk.gc.collect(-1)
    with pytest.raises(TypeError):
        Wk.gc.collect('2')
    a, b, c = make_cycle()
    r = Wk.ref(a)
    del a, b, c
    # New objects are in generation 0.
    assert Wk.gc.collect(0) == 3
    assert r() is None
    assert Wk.gc.collect(1) == 0


def test_survivors_are_promoted():
    a = Node()
    assert any(o is a for o in Wk.gc.get_objects(0))
    Wk.gc.collect(0)
    assert not any(o is a for o in Wk.gc.get_objects(0))
    assert any(o is a for o in Wk.gc.get_objects(1))
    Wk.gc.collect(1)
    assert any(o is a for o in Wk.gc.get_objects(2))
    Wk.gc.collect(2)
    assert any(o is a for o in Wk.gc.get_objects(2))


def test_ref_callback_runs_during_the_collection():
    events = []
    Wk.gc.callbacks.append(lambda phase, info: events.append(phase))
    a, b, c = make_cycle()
    r = Wk.ref(b, lambda ref: events.append(('ref', ref() is None)))
    del a, b, c
    assert events == []
    assert Wk.gc.collect() == 3
    assert events == ['start', ('ref', True), 'stop']
    assert r() is None


def test_finalize_on_a_cycle_member_runs():
    events = []
    a, b, c = make_cycle()
    f = Wk.finalize(c, events.append, 'finalized')
    assert f.alive
    del a, b, c
    assert events == []
    assert Wk.gc.collect() == 3
    assert events == ['finalized']
    assert not f.alive


def test_thresholds():
    assert Wk.gc.get_threshold() == (700, 10, 10)
    Wk.gc.set_threshold(100)
    assert Wk.gc.get_threshold() == (100, 10, 10)
    Wk.gc.set_threshold(100, 5)
    assert Wk.gc.get_threshold() == (100, 5, 10)
    Wk.gc.set_threshold(50, threshold2=3)
    assert Wk.gc.get_threshold() == (50, 5, 3)
    assert isinstance(Wk.gc.get_threshold(), tuple)
    with pytest.raises(ValueError):
        Wk.gc.set_threshold(-1)
    with pytest.raises(TypeError):
        Wk.gc.set_threshold()


def test_count():
    Wk.gc.collect()
    count = Wk.gc.get_count()
    assert isinstance(count, tuple) and len(count) == 3
    assert count[0] == 0
    keep = [Node(), Node(), Wk.Object.new()]
    assert Wk.gc.get_count()[0] == 3
    Wk.gc.collect(0)
    assert Wk.gc.get_count()[0] == 0
    assert Wk.gc.get_count()[1] == count[1] + 1
    del keep


def test_enable_disable():
    assert Wk.gc.isenabled()
    Wk.gc.disable()
    assert not Wk.gc.isenabled()
    # collect() works whatever isenabled() says.
    a, b, c = make_cycle()
    r = Wk.ref(a)
    del a, b, c
    assert Wk.gc.collect() == 3
    assert r() is None
    Wk.gc.enable()
    assert Wk.gc.isenabled()


def test_auto_alloc_collects_at_the_threshold():
    Wk.gc.set_auto_mode(Wk.gc.AUTO_ALLOC)
    assert Wk.gc.get_auto_mode() == Wk.gc.AUTO_ALLOC
    Wk.gc.enable()
    phases = []
    Wk.gc.callbacks.append(lambda phase, info: phases.append((phase, info['generation'])))
    Wk.gc.set_threshold(5)
    a, b, c = make_cycle()
    r = Wk.ref(a)
    del a, b, c
    assert r() is not None
    keep = [Node() for _ in range(3)]   # the 6th object crosses 5
    assert r() is None
    assert ('stop', 0) in phases
    # Disabled, no automatic collection runs.
    Wk.gc.disable()
    a, b, c = make_cycle()
    r = Wk.ref(a)
    del a, b, c
    keep += [Node() for _ in range(10)]
    assert r() is not None
    assert Wk.gc.collect() == 3
    del keep


def test_stats():
    stats = Wk.gc.get_stats()
    assert isinstance(stats, list) and len(stats) == 3
    for s in stats:
        assert set(s) == {'collections', 'collected', 'uncollectable'}
    a, b, c = make_cycle()
    del a, b, c
    assert Wk.gc.collect() == 3
    after = Wk.gc.get_stats()
    assert after[2]['collections'] == stats[2]['collections'] + 1
    assert after[2]['collected'] == stats[2]['collected'] + 3
    assert after[2]['uncollectable'] == stats[2]['uncollectable']
    assert after[0] == stats[0] and after[1] == stats[1]


def test_debug_flags(capfd):
    assert Wk.gc.get_debug() == 0
    Wk.gc.set_debug(Wk.gc.DEBUG_STATS)
    assert Wk.gc.get_debug() == Wk.gc.DEBUG_STATS
    a, b, c = make_cycle()
    del a, b, c
    capfd.readouterr()
    assert Wk.gc.collect() == 3
    err = capfd.readouterr().err
    assert 'wk-gc: generation 2: 3 unreachable, 0 uncollectable' in err
    Wk.gc.set_debug(Wk.gc.DEBUG_COLLECTABLE)
    a, b, c = make_cycle()
    del a, b, c
    assert Wk.gc.collect() == 3
    err = capfd.readouterr().err
    assert err.count('wk-gc: collectable <') == 3
    Wk.gc.set_debug(0)
    assert Wk.gc.get_debug() == 0


def test_debug_saveall_keeps_the_garbage():
    before = len(Wk.gc.garbage)
    Wk.gc.set_debug(Wk.gc.DEBUG_SAVEALL)
    a, b, c = make_cycle()
    addresses = {hash(x) for x in (a, b, c)}
    r = Wk.ref(a)
    del a, b, c
    assert Wk.gc.collect() == 3
    # Its weak references are dead; the objects are kept, in garbage.
    assert r() is None
    garbage = Wk.gc.garbage
    assert isinstance(garbage, list)
    assert len(garbage) == before + 3
    assert {hash(x) for x in garbage[before:]} == addresses
    assert all(isinstance(x, Node) for x in garbage[before:])


def test_callbacks_shape_and_errors():
    calls = []

    def callback(phase, info):
        calls.append((phase, info))

    def broken(phase, info):
        raise RuntimeError('callback failed')

    caught = []
    previous = sys.unraisablehook
    sys.unraisablehook = caught.append
    try:
        Wk.gc.callbacks.extend([broken, callback])
        a, b, c = make_cycle()
        del a, b, c
        assert Wk.gc.collect(1) == 3
    finally:
        sys.unraisablehook = previous
    assert calls == [
        ('start', {'generation': 1, 'collected': 0, 'uncollectable': 0}),
        ('stop', {'generation': 1, 'collected': 3, 'uncollectable': 0}),
    ]
    assert len(caught) == 2
    assert all(isinstance(u.exc_value, RuntimeError) for u in caught)
    Wk.gc.callbacks.remove(callback)
    Wk.gc.callbacks.remove(broken)
    Wk.gc.collect()
    assert len(calls) == 2


def test_get_objects():
    a = Node()
    plain = Wk.Object.new()
    objects = Wk.gc.get_objects()
    assert isinstance(objects, list)
    assert any(o is a for o in objects)
    assert any(o is plain for o in objects)
    assert any(o is a for o in Wk.gc.get_objects(generation=0))
    with pytest.raises(ValueError):
        Wk.gc.get_objects(3)
    with pytest.raises(ValueError):
        Wk.gc.get_objects(-1)


def test_referents_and_referrers():
    a, b, c = make_cycle()
    assert [same(x, b) for x in Wk.gc.get_referents(a)] == [True]
    assert len(Wk.gc.get_referents(a, b)) == 2
    assert Wk.gc.get_referents(1, 'x') == []
    assert Wk.gc.get_referents(GObject.Object()) == []
    referrers = Wk.gc.get_referrers(a)
    assert len(referrers) == 1 and referrers[0] is c
    both = Wk.gc.get_referrers(a, b)
    assert sorted(hash(x) for x in both) == sorted([hash(c), hash(a)])
    lone = Node()
    assert Wk.gc.get_referrers(lone) == []
    a.release(b)
    b.release(c)
    c.release(a)


def test_is_tracked():
    assert Wk.gc.is_tracked(Node())
    assert Wk.gc.is_tracked(Wk.Object.new())
    assert not Wk.gc.is_tracked(GObject.Object())
    assert not Wk.gc.is_tracked(1)
    assert not Wk.gc.is_tracked([])
    assert not Wk.gc.is_tracked(None)


def test_freeze():
    Wk.gc.collect()
    assert Wk.gc.get_freeze_count() == 0
    a, b, c = make_cycle()
    r = Wk.ref(a)
    del a, b, c
    Wk.gc.freeze()
    assert Wk.gc.get_freeze_count() >= 3
    assert Wk.gc.get_objects(0) == []
    # Frozen objects are never collected.
    assert Wk.gc.collect() == 0
    assert r() is not None
    Wk.gc.unfreeze()
    assert Wk.gc.get_freeze_count() == 0
    assert Wk.gc.collect() == 3
    assert r() is None


def test_cycle_with_python_state_is_not_collected():
    """Wrappers with Python attributes are toggled by PyGObject: the toggle
    reference is an outside reference to the collector, so the cycle stays
    (as an uncollectable one would in CPython), whichever gc runs."""
    a, b, c = make_cycle(Stateful)
    a.name, b.name, c.name = 'a', 'b', 'c'
    refs = [Wk.ref(x) for x in (a, b, c)]
    del a, b, c
    _stdlib_gc.collect()
    assert Wk.gc.collect() == 0
    _stdlib_gc.collect()
    assert Wk.gc.collect() == 0
    # Still alive, with their Python state.
    assert [r().name for r in refs] == ['a', 'b', 'c']
    # Not reported as garbage either: they were never found unreachable.
    assert not any(isinstance(x, Stateful) for x in Wk.gc.garbage)
    # Breaking one link by hand lets reference counting free them all.
    c = refs[2]()
    assert c.release(refs[0]())
    del c
    _stdlib_gc.collect()
    assert all(r() is None for r in refs)


def test_cycle_without_python_state_after_all_wrappers_are_gone():
    """The same Stateful class, never given an attribute: collected."""
    a, b, c = make_cycle(Stateful)
    refs = [Wk.ref(x) for x in (a, b, c)]
    del a, b, c
    assert Wk.gc.collect() == 3
    assert all(r() is None for r in refs)


def test_dir_lists_the_gc_names():
    # Tab completion: the functions are the module's, as with dir(gc).
    names = dir(Wk.gc)
    for name in ('collect', 'get_count', 'enable', 'disable', 'isenabled',
                 'get_threshold', 'set_threshold', 'get_objects', 'get_referrers',
                 'get_referents', 'is_tracked', 'freeze', 'unfreeze', 'get_stats',
                 'set_debug', 'get_debug', 'garbage', 'callbacks', 'DEBUG_LEAK'):
        assert name in names, name
    assert names == sorted(names)


class PropertyOnly(Wk.Object):
    """Python state that is easy to miss: only a GObject.Property, whose
    value PyGObject keeps in the wrapper's __dict__."""

    label = GObject.Property(type=str, default='')


def test_cycle_with_only_a_property_is_python_state():
    a, b = PropertyOnly(label='a'), PropertyOnly(label='b')
    a.hold(b)
    b.hold(a)
    refs = [Wk.ref(a), Wk.ref(b)]
    del a, b
    Wk.gc.collect()
    _stdlib_gc.collect()
    # The toggle references of their wrappers keep them: not collected.
    assert all(r() is not None for r in refs)
    # Breaking a link by hand frees both.
    a = refs[0]()
    b = refs[1]()
    a.release(b)
    b.release(a)
    del a, b
    _stdlib_gc.collect()
    assert all(r() is None for r in refs)


def test_recipe_state_outside_the_wrappers():
    # The recipe of the docs: link with hold() and keep Python state in a
    # WeakKeyDictionary side table instead of on the wrappers; the cycle
    # is then collected, and the side table's entries go with it.
    state = Wk.WeakKeyDictionary()
    a, b = Node(), Node()
    a.hold(b)
    b.hold(a)
    state[a] = {'label': 'a'}
    state[b] = {'label': 'b'}
    refs = [Wk.ref(a), Wk.ref(b)]
    assert state[a]['label'] == 'a'
    del a, b
    assert Wk.gc.collect() == 2
    assert all(r() is None for r in refs)
    assert len(state) == 0


def test_recipe_weak_back_reference():
    # Or keep the Python state and make the back link weak: refcounting
    # frees the pair, no collector needed.
    class Parent(Wk.Object):
        def __init__(self):
            super().__init__()
            self.children = []

    class Child(Wk.Object):
        def __init__(self, parent):
            super().__init__()
            self.parent = Wk.ref(parent)

    parent = Parent()
    parent.children.append(Child(parent))
    refs = [Wk.ref(parent), Wk.ref(parent.children[0])]
    assert refs[1]().parent() is parent
    del parent
    _stdlib_gc.collect()
    assert all(r() is None for r in refs)


class Counted(Wk.Object):
    """A type name of its own, for the census."""


def test_census_and_graphs(tmp_path):
    before = Wk.gc.census()
    objs = [Counted() for _ in range(3)]
    objs[0].hold(objs[1])
    objs[1].hold(objs[2])
    objs[2].hold(objs[0])
    after = Wk.gc.census()
    assert isinstance(after, dict)
    counts = list(after.values())
    assert counts == sorted(counts, reverse=True)
    name = next(n for n in after if 'Counted' in n)
    assert Wk.gc.census_diff(before, after)[name] == 3
    assert Wk.gc.census_diff(after, after) == {}
    dot = tmp_path / 'refs.dot'
    assert Wk.gc.show_refs(objs[0], filename=dot, max_depth=5)
    text = dot.read_text()
    assert text.count('->') >= 3
    back = tmp_path / 'backrefs.dot'
    assert Wk.gc.show_backrefs([objs[0]], back)
    assert '->' in back.read_text()
    with pytest.raises(ValueError):
        Wk.gc.show_refs(objs, dot, max_depth=-1)
    for o in objs:
        o.release(objs[(objs.index(o) + 1) % 3])


def test_collect_takes_what_stdlib_gc_takes():
    # bool is an int to CPython's gc.collect(); a str is not.
    assert Wk.gc.collect(True) >= 0
    assert _stdlib_gc.collect(True) >= 0
    with pytest.raises(TypeError):
        Wk.gc.collect('2')
    with pytest.raises(ValueError):
        Wk.gc.collect(3)


def test_show_refs_refuses_what_is_not_a_graph_request(tmp_path):
    ob = Wk.Object()
    with pytest.raises(TypeError):
        Wk.gc.show_refs(ob, filename=None)
    with pytest.raises(TypeError):
        Wk.gc.show_refs([ob, 1, 'x'], filename=str(tmp_path / 'g.dot'))
    with pytest.raises(TypeError):
        Wk.gc.show_backrefs(1, filename=str(tmp_path / 'g.dot'))
    assert not (tmp_path / 'g.dot').exists()
    assert Wk.gc.show_refs([ob], filename=tmp_path / 'ok.dot')
    assert 'digraph' in (tmp_path / 'ok.dot').read_text()
