"Write README.md from nbs/index.ipynb (nbdev_readme needs quarto, which this project does not require)."
import json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent

def readme_text(nb_path=root/'nbs'/'index.ipynb') -> str:
    "Markdown cells as they are, code cells fenced as python, hidden cells and directives left out"
    parts = []
    for cell in json.loads(Path(nb_path).read_text())['cells']:
        src = ''.join(cell['source'])
        if cell['cell_type'] == 'markdown': parts.append(src)
        elif cell['cell_type'] == 'code':
            lines = src.splitlines()
            if any(re.match(r'#\|\s*(hide|include:\s*false)', l) for l in lines): continue
            code = '\n'.join(l for l in lines if not l.startswith('#|')).strip()
            if code: parts.append(f'```python\n{code}\n```')
    return '\n\n'.join(parts).strip() + '\n'

if __name__ == '__main__':
    text, out = readme_text(), root/'README.md'
    if '--check' in sys.argv:
        if not out.exists() or out.read_text() != text: sys.exit('README.md is not in step with nbs/index.ipynb: run `make export`.')
    else: out.write_text(text)
