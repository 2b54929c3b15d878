"""The archive's vocabulary: the words, classes and selectors that name parts of a government page.

Procedure lives elsewhere (``archive.clean``, ``crawler.platforms``); what those modules look for is
written here once: the main-text containers of each CMS family, the class names of page furniture,
the chrome lines seen at the top and bottom of articles, footer openings, document-information
labels, and the file extensions of report attachments. Sources: what the CMS families write (see
``docs/portals.md``) and what the real pages of the corpus show.
"""

from __future__ import annotations

import re

# --- main-text containers -------------------------------------------------------------------
# per CMS family, most specific first (the platform modules read theirs from here)
CONTAINERS: dict[str, tuple[str, ...]] = {
    "nfcms": ("#zoomcon", "#zhengwen"),  # Guangdong NFCMS: div.content_article#zoomcon; hp.gov.cn #zhengwen
    "gkmlpt": ("div.article-content", "#zoomcon"),
    "trs": ("div.TRS_Editor", "div.Custom_UnionStyle", "#zoom"),  # TRS_Editor may be nested
    "hanweb": ("#zoom", "div.bt-article-02", "td.bt_content"),
    "hunan": ("#zoom", "div.TRS_Editor", "#j-show-body"),
    "ucap": ("#UCAP-CONTENT", "ucapcontent", "#cmsArticleContent"),  # 开普云: www.gov.cn, sc.gov.cn
    "generic": (),
}
# tried on every page after the portal's and the platform's own, in this order
KNOWN_CONTAINERS: tuple[str, ...] = (
    "#zoomcon", "#zhengwen", "div.TRS_Editor", "div.Custom_UnionStyle", "#UCAP-CONTENT", "ucapcontent",
    "#cmsArticleContent", "div.bt-article-02", "td.bt_content", "#zoom",
)

# --- furniture blocks inside a container, by class/id (whole-token matches) --------------------
CHROME_BLOCK = re.compile(
    r"(?:^|[\s_-])(info_xgfj|xgfj|info_xgxw|xgxw|xgwz|share|bdshare|bdsharebuttonbox|fenxiang|"
    r"qrcode|ewm|content_ewm|erweima|print|dayin|fontsize|zihao|content_attr|article-tools|"
    r"attachment-list)(?:$|[\s_-])",
    re.I,
)

# --- attachments ----------------------------------------------------------------------------
# extension → the kind ``archive.files`` reads it as
DOCUMENT_EXTENSIONS: dict[str, str] = {
    ".pdf": "pdf",
    ".docx": "docx", ".docm": "docx", ".dotx": "docx", ".dotm": "docx",
    ".doc": "doc", ".dot": "doc",
    ".wps": "wps", ".wpt": "wps",
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".xltx": "xlsx",
    ".xls": "xls", ".xlt": "xls", ".et": "xls",
    ".ofd": "ofd",
}  # fmt: skip
# downloaded and kept, not read: archives and presentations
OTHER_ATTACHMENT_EXTENSIONS: tuple[str, ...] = (".zip", ".rar", ".7z", ".dps", ".ppt", ".pptx")
_EXTENSIONS = "|".join(sorted((e[1:] for e in (*DOCUMENT_EXTENSIONS, *OTHER_ATTACHMENT_EXTENSIONS)),
                              key=len, reverse=True))
# a link (or a link text) naming a file: ….pdf, ….docx?x=1, 附件.xls
FILE_LINK = re.compile(rf"\.({_EXTENSIONS})(?:$|[?#])", re.I)
# a URL path ending in a file extension
FILE_PATH = re.compile(rf"\.({_EXTENSIONS})$", re.I)

# --- line-level chrome, only at the edges of the text -----------------------------------------
EDGE_CHROME: tuple[tuple[str, re.Pattern], ...] = tuple(
    (reason, re.compile(rx))
    for reason, rx in (
        ("text-to-speech", r"^[•·]?\s*(听全文|語音播報|语音播报|听新闻)$"),
        ("share", r"^[•·]?\s*(分享到|分享)\s*[:：]?\s*(微信|微博|QQ空间|\s)*$"),
        ("separator", r"^[-•·—|]+$"),
        ("qr-code", r"^(扫一扫|掃一掃|手机扫一扫|微信扫一扫).{0,20}$"),
        ("related", r"^(相关附件|相關附件|相关新闻|相關新聞|相关稿件|相关链接|相关阅读|相关文章)\s*[:：]?$"),
        ("follow", r"^关注\s*[·•]\s*.{0,20}$"),
        ("toolbar", r"^[【\[]?\s*(打印本页|打印|关闭窗口|关闭|返回顶部|收藏|纠错|我要纠错)\s*[】\]]?(\s*[|/·]?\s*[【\[]?\s*(打印本页|打印|关闭窗口|关闭|返回顶部|收藏)\s*[】\]]?)*$"),
        ("font-size", r"^(字号|字体|字体大小)\s*[:：]?\s*[【\[]?\s*(大|中|小|\s)*[】\]]?$"),
        ("accessibility", r"^(繁體|繁体|简体|無障礙|无障碍|长者版|關懷版|关怀版|English)(\s*[|/]\s*(繁體|繁体|简体|無障礙|无障碍|长者版|关怀版|English))*$"),
        ("date-source", r"^(发布时间|發布時間|发表日期|發表日期|发布日期|时间|来源|來源|信息来源|浏览次数|瀏覽次數|阅读次数|浏览量|点击数|访问量|作者|字体)\s*[:：].{0,80}$"),
        ("date", r"^[•·]?\s*((19|20)\d{2}-\d{1,2}-\d{1,2}(\s+\d{1,2}:\d{2}(:\d{2})?)?)$"),
        ("footer", r"^(主办|承办|主辦|承辦|版权所有|版權所有|网站标识码|網站標識碼|联系我们|聯繫我們|技术支持|技術支持)\s*[:：]?.*$"),
        ("footer", r"^.{0,30}(ICP备|ICP備|公网安备|公網安備)\s*\S*.*$"),
        ("breadcrumb", r"^(当前位置|當前位置|您的位置|您现在的位置)\s*[:：].*$"),
        # 【字体：大 中 小】 【打印文章】 【关闭窗口】 …: a line made only of short bracketed tools
        ("toolbar", r"^([·•▪]?\s*[【\[]\s*[^】\]]{1,24}\s*[】\]]\s*)+$"),
        ("prev-next", r"^[▪·•]?\s*(上一篇|下一篇|上一条|下一条)\s*[:：]?.{0,60}$"),
        ("editor", r"^[（(]?\s*(责任编辑|编辑|责编|审核|校对|审校|终审)\s*[:：].{0,24}[)）]?$"),
        ("empty-label", r"^(附件|相关附件|关联文件|附件下载)\s*[:：]?$"),
        ("leaving-site", r"^.{0,30}(即将离开|是否继续[？?]?).{0,30}$"),
        ("follow", r"^.{0,16}(微信公众号|官方微博|官方微信|政务微博|客户端|官微)$"),
        ("wechat-overlay", r"^(点击右上角|选择在浏览器中打开).{0,20}$"),
        ("date-source", r"^(日期|发布日期|信息来源|文章来源|稿件来源|发稿时间|更新时间|访问次数|访问量)\s*[:：].{0,80}$"),
        # a date followed by its time, source or tools (a bare date may be a signature: kept)
        ("date-source", r"^[•·]?\s*(19|20)\d{2}[-年/.]\d{1,2}[-月/.]\d{1,2}日?\s*((\d{1,2}:\d{2}(:\d{2})?)|"
                        r"(来源|信息来源)\s*[:：]\s*\S{0,30}|[【\[][^】\]]{1,10}[】\]]|\s)+$"),
    )
)

# a line that can only open a site footer: everything below it is footer
FOOTER_START = re.compile(
    r"^(主办单位|主办|承办单位|承办|主辦單位|版权所有|版權所有|版权与免责声明|免责声明|网站标识码|網站標識碼|"
    r"政府网站标识码|网站声明|关于我们)\s*[:：]?|^.{0,40}(ICP备|ICP備|公网安备|公網安備)"
)
# words of a footer block: such a block is never the body, however dense its text
FOOTER_WORDS: tuple[str, ...] = ("ICP备", "ICP備", "网站标识码", "網站標識碼", "公网安备", "版权所有")

# --- document information (索引号, 发文字号 …) above the body: a grid or lines ------------------
DOCINFO_LABELS = ("索引号", "索取号", "信息索引", "发布机构", "发文机构", "发文机关", "办文部门", "生成日期",
                   "成文日期", "发文日期", "发文字号", "文件编号", "公文名称", "信息名称", "主题分类", "信息类别",
                   "内容概述", "公开方式", "公开范围", "发布日期", "有效性", "文号", "主题词")
DOCINFO_LINE = re.compile(f"^({'|'.join(DOCINFO_LABELS)})[:：]")
