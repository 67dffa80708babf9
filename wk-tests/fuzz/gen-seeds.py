#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Writes the hand-made seeds of wk-tests/fuzz/corpus (op numbers: the Op enum of wk-fuzz-ops.c).
import os, sys
OPS = """OBJ_NEW OBJ_REF OBJ_UNREF OBJ_KILL OBJ_DISPOSE TOGGLE_ADD TOGGLE_REMOVE
REF_NEW REF_GET REF_UNREF REF_EQUAL WEAK_REFS PROXY_NEW PROXY_DUP PROXY_PROP PROXY_UNREF
WEAK_SET WEAK_GET WEAK_CLEAR VD_INSERT VD_LOOKUP VD_REMOVE VD_CONTAINS VD_ITER
KD_INSERT KD_LOOKUP KD_REMOVE KD_ITER SET_ADD SET_REMOVE SET_CONTAINS SET_ITER
FIN_NEW FIN_CALL FIN_DETACH FIN_PEEK FIN_UNREF REG_REGISTER REG_UNREGISTER RESET""".split()
N = {n: i for i, n in enumerate(OPS)}
def prog(*steps):
    out = bytearray()
    for s in steps:
        out.append(N[s[0]]); out.extend(s[1:])
    return bytes(out)
def objs(*idx): return [("OBJ_NEW", i) for i in idx]
CB, DROP = 1, 3
seeds = {
 "ref-basic": prog(*objs(0, 1), ("REF_NEW", 0, 0, 0), ("REF_NEW", 1, 1, CB), ("REF_GET", 0), ("REF_GET", 1),
                   ("OBJ_UNREF", 0), ("REF_GET", 0), ("OBJ_UNREF", 1), ("REF_GET", 1)),
 "ref-callback-order": prog(*objs(1), ("REF_NEW", 0, 1, CB), ("REF_NEW", 1, 1, CB), ("REF_NEW", 2, 1, DROP),
                   ("REF_NEW", 3, 1, 0), ("REF_NEW", 4, 1, CB), ("REF_UNREF", 1), ("OBJ_KILL", 1), ("REF_GET", 0)),
 "ref-shared-equal": prog(*objs(2, 3), ("REF_NEW", 0, 2, 0), ("REF_NEW", 1, 2, 0), ("REF_NEW", 2, 3, 0),
                   ("PROXY_NEW", 0, 2, 0), ("REF_EQUAL", 0, 1), ("REF_EQUAL", 0, 2), ("REF_EQUAL", 0, 16),
                   ("WEAK_REFS", 2), ("OBJ_UNREF", 2), ("REF_EQUAL", 0, 1), ("REF_EQUAL", 1, 1), ("WEAK_REFS", 3)),
 "run-dispose": prog(*objs(0, 1), ("REF_NEW", 0, 0, CB), ("FIN_NEW", 0, 0), ("VD_INSERT", 3, 0), ("SET_ADD", 0),
                   ("KD_INSERT", 0, 1), ("WEAK_SET", 0, 0), ("OBJ_DISPOSE", 0), ("REF_GET", 0), ("WEAK_GET", 0),
                   ("REF_NEW", 1, 0, CB), ("FIN_NEW", 1, 0), ("SET_ADD", 0), ("OBJ_DISPOSE", 0), ("OBJ_DISPOSE", 1),
                   ("REF_GET", 1), ("OBJ_UNREF", 0)),
 "proxy": prog(*objs(4, 5), ("PROXY_NEW", 0, 4, CB), ("PROXY_NEW", 1, 5, DROP), ("PROXY_NEW", 2, 5, 0),
                   ("PROXY_DUP", 0), ("PROXY_PROP", 0), ("OBJ_UNREF", 4), ("PROXY_DUP", 0), ("PROXY_PROP", 0),
                   ("OBJ_KILL", 5), ("PROXY_DUP", 2), ("PROXY_UNREF", 0)),
 "weak": prog(*objs(0, 1), ("WEAK_SET", 0, 0), ("WEAK_SET", 1, 1), ("WEAK_GET", 0), ("WEAK_SET", 0, 7),
                   ("WEAK_GET", 0), ("WEAK_SET", 0, 1), ("OBJ_UNREF", 1), ("WEAK_GET", 0), ("WEAK_GET", 1),
                   ("WEAK_CLEAR", 1), ("WEAK_SET", 1, 0), ("WEAK_GET", 1)),
 "value-dict": prog(*objs(0, 1, 2), ("VD_INSERT", 0, 0), ("VD_INSERT", 1, 1), ("VD_INSERT", 2, 1), ("VD_INSERT", 15, 2),
                   ("VD_LOOKUP", 1), ("VD_CONTAINS", 2), ("VD_ITER", 0, 0), ("OBJ_UNREF", 1), ("VD_LOOKUP", 1),
                   ("VD_CONTAINS", 2), ("VD_REMOVE", 2), ("VD_REMOVE", 0), ("VD_INSERT", 0, 2), ("VD_ITER", 3, 0),
                   ("RESET", 4), ("VD_INSERT", 5, 0), ("RESET", 0)),
 "value-dict-iter-kill": prog(*objs(0, 1, 2, 3, 4, 5), *[("VD_INSERT", k, k % 6) for k in range(12)],
                   ("VD_ITER", 2, 3), ("VD_ITER", 2, 0), ("VD_ITER", 1, 2), ("VD_ITER", 0, 0)),
 "key-dict": prog(*objs(0, 1, 2), ("KD_INSERT", 0, 1), ("KD_INSERT", 1, 0), ("KD_INSERT", 0, 2), ("KD_LOOKUP", 0),
                   ("KD_LOOKUP", 1), ("KD_ITER", 0, 0), ("OBJ_UNREF", 0), ("KD_REMOVE", 1), ("KD_REMOVE", 1),
                   ("KD_INSERT", 2, 1), ("RESET", 1), ("KD_INSERT", 2, 1), ("RESET", 5), ("KD_INSERT", 1, 1)),
 "key-dict-iter-kill": prog(*objs(0, 1, 2, 3, 4, 5, 6, 7), *[("KD_INSERT", o, 1) for o in range(8)],
                   ("KD_ITER", 2, 5), ("KD_ITER", 2, 1), ("KD_ITER", 1, 3), ("KD_ITER", 3, 0)),
 "set": prog(*objs(0, 1, 2, 3), ("SET_ADD", 0), ("SET_ADD", 0), ("SET_ADD", 1), ("SET_ADD", 2), ("SET_CONTAINS", 1),
                   ("SET_ITER", 0, 0), ("OBJ_KILL", 1), ("SET_CONTAINS", 1), ("SET_REMOVE", 2), ("SET_REMOVE", 2),
                   ("SET_ADD", 3), ("SET_ITER", 2, 3), ("SET_ITER", 3, 0), ("RESET", 6), ("SET_ADD", 0), ("RESET", 2)),
 "set-iter-kill": prog(*objs(0, 1, 2, 3, 4, 5, 6, 7), *[("SET_ADD", o) for o in range(8)],
                   ("SET_ITER", 2, 7), ("SET_ITER", 2, 6), ("SET_ITER", 1, 1), ("SET_ITER", 0, 0)),
 "finalizer": prog(*objs(0, 1, 2), ("FIN_NEW", 0, 0), ("FIN_NEW", 1, 1), ("FIN_NEW", 2, 2), ("FIN_NEW", 3, 2),
                   ("FIN_PEEK", 0), ("FIN_CALL", 0), ("FIN_CALL", 0), ("FIN_PEEK", 0), ("FIN_DETACH", 1),
                   ("FIN_DETACH", 1), ("FIN_UNREF", 2), ("OBJ_UNREF", 2), ("FIN_PEEK", 3), ("FIN_CALL", 3)),
 "finalizer-unowned": prog(*objs(0, 1), ("FIN_NEW", 0, 0), ("FIN_UNREF", 0), ("FIN_NEW", 0, 1), ("FIN_UNREF", 0),
                   ("FIN_NEW", 0, 1), ("OBJ_UNREF", 0)),
 "registry": prog(*objs(0, 1, 2, 3), ("REG_REGISTER", 0, 0), ("REG_REGISTER", 1, 1), ("REG_REGISTER", 2, 2 + 3 * 3),
                   ("REG_REGISTER", 3, 2 + 3 * 3), ("REG_UNREGISTER", 3), ("REG_UNREGISTER", 3), ("OBJ_UNREF", 0),
                   ("OBJ_UNREF", 1), ("REG_UNREGISTER", 2), ("REG_REGISTER", 2, 1), ("OBJ_DISPOSE", 2),
                   ("REG_UNREGISTER", 2), ("REG_REGISTER", 2, 0), ("RESET", 3), ("OBJ_UNREF", 2)),
 "toggle": prog(*objs(0, 1), ("TOGGLE_ADD", 0, 0), ("TOGGLE_ADD", 1, 0), ("OBJ_UNREF", 0), ("REF_NEW", 0, 0, CB),
                   ("REF_GET", 0), ("TOGGLE_REMOVE", 1), ("REF_GET", 0), ("TOGGLE_REMOVE", 0), ("REF_GET", 0),
                   ("TOGGLE_ADD", 2, 1), ("OBJ_UNREF", 1), ("SET_ADD", 1), ("SET_ITER", 0, 0), ("OBJ_DISPOSE", 1)),
 "refcount": prog(*objs(6, 7), ("OBJ_REF", 6), ("OBJ_REF", 6), ("REF_NEW", 0, 6, CB), ("OBJ_UNREF", 6), ("OBJ_UNREF", 6),
                   ("REF_GET", 0), ("OBJ_UNREF", 6), ("REF_GET", 0), ("OBJ_NEW", 6), ("REF_NEW", 1, 6, 0), ("REF_GET", 1)),
 "everything": prog(*objs(0, 1, 2, 3, 4, 5, 6, 7), ("REF_NEW", 0, 0, CB), ("REF_NEW", 1, 0, DROP), ("PROXY_NEW", 0, 0, CB),
                   ("WEAK_SET", 0, 0), ("VD_INSERT", 0, 0), ("KD_INSERT", 0, 1), ("SET_ADD", 0), ("FIN_NEW", 0, 0),
                   ("REG_REGISTER", 0, 1), ("TOGGLE_ADD", 0, 0), ("OBJ_UNREF", 0), ("REF_GET", 0), ("KD_ITER", 0, 0),
                   ("TOGGLE_REMOVE", 0), ("REF_GET", 0), ("WEAK_GET", 0), ("VD_LOOKUP", 0), ("FIN_PEEK", 0),
                   *[("REF_NEW", 2 + o, o, CB) for o in range(1, 8)], *[("SET_ADD", o) for o in range(1, 8)],
                   *[("FIN_NEW", o, o) for o in range(1, 8)], ("SET_ITER", 2, 4), ("OBJ_DISPOSE", 5), ("OBJ_KILL", 6)),
}
# the end-of-input order depends on the parity of the size: give each seed both
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    for suffix, d in (("", data), ("-odd" if len(data) % 2 == 0 else "-even", data + bytes([N["WEAK_GET"]]))):
        with open(os.path.join(out, name + suffix), "wb") as f:
            f.write(d)
