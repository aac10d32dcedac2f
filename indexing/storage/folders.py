"""The data folder must exist and be writable: say which folder and what to do, in French."""

from __future__ import annotations

import errno
import tempfile
from pathlib import Path

from indexing.errors import DataFolderError


def ensure_data_folder(path: Path) -> None:
    """Create the data folder if needed and check that this process can write in it."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise DataFolderError(_explain(path, exc)) from exc


def _explain(path: Path, exc: OSError) -> str:
    where = path.absolute()
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        reason = "en lecture seule" if exc.errno == errno.EROFS else "non accessible en écriture"
    elif exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.EEXIST):
        reason = "introuvable et impossible à créer"
    else:
        reason = f"inutilisable ({exc.strerror or exc})"
    return (
        f"le dossier de données {where} est {reason}. L'assistant y écrit sa base, ses index et "
        "ses sauvegardes : donnez-en l'écriture à l'utilisateur qui lance essbot (par exemple "
        f"« sudo chown -R $(id -un) {where} »), ou choisissez un autre dossier avec DATA_DIR "
        "(.env) ou l'option --data."
    )
