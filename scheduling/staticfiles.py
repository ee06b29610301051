"""Static-file storage for production (hashed and compressed by whitenoise).

KRDS's ``css/component/component.css`` points at images that its package
does not ship (``../../img/img/...``). Django's manifest storage refuses to
collect a stylesheet with a broken reference, which would fail every
``collectstatic``. We serve the part of KRDS's ``output.css`` our pages use
(build/static/, scripts/build_static.py), so a broken reference in a file we
do not use is left as it is instead of stopping the deployment.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class TolerantManifestStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def url_converter(self, name, hashed_files, template=None):
        convert = super().url_converter(name, hashed_files, template)

        def tolerant(matchobj):
            try:
                return convert(matchobj)
            except ValueError:  # the referenced file does not exist
                return matchobj.group(0)

        return tolerant
