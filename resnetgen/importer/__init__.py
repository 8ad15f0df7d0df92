"""`resnetgen import blogger`: move the old blog's posts, pages and comments across.

    exports (read the XML safely, both formats) -> records
    html_to_markdown (clean the platform's HTML)  -> Markdown
    briefings (recognise a chat announcement)     -> chat, hosts, paper, questions
    documents (front matter + body)               -> file texts
    plan (compare with the manifest and the disk) -> create / update / skip
    apply (write, atomically per file)            -> content/, people.toml, manifest, report
"""
