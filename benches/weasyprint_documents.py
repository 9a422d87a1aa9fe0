"""WeasyPrint's side of the documents benchmark: renders the two HTML pages that
`proeve render --html` wrote (the same content as Proeve's PDFs) to PDF/A-2b, warm and in
process, and prints the mean time for both documents together.

Usage: weasyprint_documents.py DIR REPEAT
"""
import pathlib
import sys
import time

import weasyprint


def main() -> None:
    folder = pathlib.Path(sys.argv[1])
    repeat = int(sys.argv[2])
    pages = sorted(folder.glob("*.html"))
    if len(pages) != 2:
        sys.exit(f"expected the two HTML documents in {folder}, found {len(pages)}")
    sources = [(p, p.read_text(encoding="utf-8")) for p in pages]
    base = str(folder) + "/"

    def render_both() -> list[bytes]:
        return [
            weasyprint.HTML(string=text, base_url=base).write_pdf(pdf_variant="pdf/a-2b")
            for _, text in sources
        ]

    # Warm-up: fonts parsed, caches filled; and keep the output to look at.
    for (path, _), pdf in zip(sources, render_both()):
        path.with_suffix(".weasyprint.pdf").write_bytes(pdf)
    started = time.perf_counter()
    for _ in range(repeat):
        render_both()
    per = (time.perf_counter() - started) * 1000 / repeat
    print(
        f"weasyprint {weasyprint.__version__} both documents: {per:.2f} ms each "
        f"(mean of {repeat}, warm, in process)"
    )


if __name__ == "__main__":
    main()
