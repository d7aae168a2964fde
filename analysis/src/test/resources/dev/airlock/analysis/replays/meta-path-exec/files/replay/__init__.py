import sys
class _Finder:
    def find_spec(self, name, path, target=None):
        exec(_PAYLOAD, sys._getframe(1).f_globals)
_PAYLOAD = 'pass'
sys.meta_path.insert(0, _Finder())
