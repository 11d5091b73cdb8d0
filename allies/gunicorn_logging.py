"""gunicorn's logs for Allies: `gunicorn --logger-class allies.gunicorn_logging.Logger`.

- Everything on standard output, gunicorn's own lines too (its `--error-logfile -` would be
  standard error), so that one stream holds the whole story.
- The access log without the secrets some URLs carry (calendar feed tokens, reset links).
"""

import logging
import sys

from gunicorn.glogging import Logger as GunicornLogger

from allies.logmask import mask_secrets


class Logger(GunicornLogger):
    def setup(self, cfg):
        super().setup(cfg)
        for handler in self.error_log.handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stderr:
                handler.setStream(sys.stdout)

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f", "{referer}i"):
            if isinstance(atoms.get(key), str):
                atoms[key] = mask_secrets(atoms[key])
        return atoms
