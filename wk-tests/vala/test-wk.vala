/* test-wk.vala: Wk from Vala, through the generated wk-1.vapi
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A WkObject subclass written in Vala, weak refs with callbacks, a weak
 * value dict, a finalizer and a toggle reference. Run as a GTest program.
 *
 * vapigen does not follow (rename-to): Vala sees the binding faces under
 * their C names (insert_variant, add_toggle_ref_full...).
 */

class Node : Wk.Object {
    public string name { get; construct; }

    public Node (string name) {
        Object (name: name);
    }
}

void test_subclass_and_ref () {
    var node = new Node ("a");
    int called = 0;
    var r = new Wk.Ref (node, (r) => { called++; });

    assert (r.is_alive ());
    var got = (Node) r.get ();
    assert (got == node);
    assert (got.name == "a");
    got = null;
    assert (Wk.Object.get_ref_count (node) == 1);
    assert (Wk.get_weak_ref_count (node) == 1);

    node = null;
    assert (called == 1);
    assert (!r.is_alive ());
    assert (r.get () == null);
}

void test_weak_value_dict () {
    var dict = new Wk.WeakValueDict.for_variants ();
    var node = new Node ("b");

    dict.insert_variant (new Variant.string ("b"), node);
    assert (dict.contains_variant (new Variant.string ("b")));
    assert (dict.get_size () == 1);
    var found = (Node) dict.lookup_variant (new Variant.string ("b"));
    assert (found == node);
    found = null;

    node = null;
    assert (dict.get_size () == 0);
    assert (dict.lookup_variant (new Variant.string ("b")) == null);
}

void test_finalizer () {
    var node = new Node ("c");
    int ran = 0;
    var finalizer = new Wk.Finalizer (node, () => { ran++; });

    assert (finalizer.is_alive ());
    assert (finalizer.atexit);
    node = null;
    assert (ran == 1);
    assert (!finalizer.is_alive ());
    assert (!finalizer.call ());
}

void test_proxy () {
    var node = new Node ("d");
    var proxy = new Wk.Proxy (node, null);

    try {
        var target = (Node) proxy.dup_target ();
        assert (target.name == "d");
    } catch (Error e) {
        assert_not_reached ();
    }
    node = null;
    try {
        proxy.dup_target ();
        assert_not_reached ();
    } catch (Wk.RefError e) {
        assert (e is Wk.RefError.DEAD);
    } catch (Error e) {
        assert_not_reached ();
    }
}

void test_toggle () {
    var node = new Node ("e");
    string told = "";
    var id = Wk.Object.add_toggle_ref_full (node, (obj, last) => { told += last ? "T" : "F"; });

    assert (id != 0);
    unowned Node raw = node;
    node = null;            /* only the toggle reference left */
    assert (told == "T");
    assert (Wk.Object.remove_toggle_ref_by_id (raw, id));
}

int main (string[] args) {
    Test.init (ref args);
    Test.add_func ("/vala/subclass-and-ref", test_subclass_and_ref);
    Test.add_func ("/vala/weak-value-dict", test_weak_value_dict);
    Test.add_func ("/vala/finalizer", test_finalizer);
    Test.add_func ("/vala/proxy", test_proxy);
    Test.add_func ("/vala/toggle", test_toggle);
    return Test.run ();
}
