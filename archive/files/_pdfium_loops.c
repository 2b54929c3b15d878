/* The two loops of archive.files.pdf_pdfium that call PDFium once or more for every character or
 * object of a page, in C: through ctypes each call costs ~0.6 us, which made these loops half of
 * reading a page. ``objects`` gathers what PDFium answers about a page's objects and passes
 * over the text objects that need no look (the decisions stay in Python); ``page_chars`` is the ctypes loop of ``PdfiumPages._chars`` in C, its
 * rules included (the ctypes loop stays, for where this module is not built, and is the
 * reference: the tests compare the two on every page they read).
 *
 * PDFium's functions come as addresses (pypdfium2 has loaded the library), so nothing here links
 * against it: the signatures are PDFium's public ones (fpdf_text.h, fpdf_edit.h). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef struct { float a, b, c, d, e, f; } fs_matrix;           /* FS_MATRIX */
typedef struct { float left, top, right, bottom; } fs_rectf;    /* FS_RECTF */

typedef unsigned int (*unicode_fn)(void *, int);
typedef int (*char_flag_fn)(void *, int);
typedef int (*char_matrix_fn)(void *, int, fs_matrix *);
typedef int (*char_box_fn)(void *, int, fs_rectf *);
typedef double (*char_size_fn)(void *, int);
typedef unsigned long (*font_info_fn)(void *, int, void *, unsigned long, int *);

static PyObject *k_text, *k_x0, *k_x1, *k_top, *k_bottom, *k_size, *k_fontname;

/* page_chars(text_page, count, height, GetUnicode, IsGenerated, HasUnicodeMapError, GetMatrix,
 *            GetLooseCharBox, GetFontSize, GetFontInfo)
 * -> the characters 0..count-1 as pdf_pdfium.PdfiumPages._chars gives them (see there for each
 *    rule), every one with its font's name; or None at the first one whose box might not be
 *    pdfminer.six's. The same rules as the ctypes loop there, which is the reference (the two
 *    are compared on every page in the tests). */
static PyObject *page_chars(PyObject *self, PyObject *args) {
    unsigned long long tp_addr, f_unicode, f_generated, f_map_error, f_matrix, f_box, f_size, f_font;
    int count;
    double height;
    if (!PyArg_ParseTuple(args, "KidKKKKKKK", &tp_addr, &count, &height, &f_unicode, &f_generated,
                          &f_map_error, &f_matrix, &f_box, &f_size, &f_font))
        return NULL;
    if (!tp_addr || !f_unicode || !f_generated || !f_map_error || !f_matrix || !f_box || !f_size || !f_font) {
        PyErr_SetString(PyExc_ValueError, "a null text page or PDFium function");
        return NULL;
    }
    void *tp = (void *)(uintptr_t)tp_addr;
    unicode_fn unicode_of = (unicode_fn)(uintptr_t)f_unicode;
    char_flag_fn generated = (char_flag_fn)(uintptr_t)f_generated;
    char_flag_fn map_error = (char_flag_fn)(uintptr_t)f_map_error;
    char_matrix_fn matrix_of = (char_matrix_fn)(uintptr_t)f_matrix;
    char_box_fn box_of = (char_box_fn)(uintptr_t)f_box;
    char_size_fn size_of = (char_size_fn)(uintptr_t)f_size;
    font_info_fn font_of = (font_info_fn)(uintptr_t)f_font;

    PyObject *out = PyList_New(0);
    if (!out) return NULL;
    char name[256];
    PyObject *last_name = NULL;
    int have_last = 0;
    double last_left = 0, last_right = 0, last_bottom = 0;
    for (int i = 0; i < count; i++) {
        unsigned int code = unicode_of(tp, i);
        /* the spaces and line breaks PDFium puts between words and lines */
        if ((code == 32 || code == 13 || code == 10) && generated(tp, i)) continue;
        if (code <= 2 || code >= 0x110000 || (code >= 0x0590 && code <= 0x08FF) || (code >= 0xD800 && code <= 0xDFFF)
            || (code >= 0xFB1D && code <= 0xFEFF) || map_error(tp, i))
            goto not_alike;
        fs_matrix m = {0, 0, 0, 0, 0, 0};
        fs_rectf r = {0, 0, 0, 0};
        if (!matrix_of(tp, i, &m) || m.b != 0 || m.c != 0 || m.a <= 0 || m.d <= 0 || !box_of(tp, i, &r))
            goto not_alike;
        double left = r.left, right = r.right, bottom = r.bottom;
        if (have_last && left == last_left && right == last_right && bottom == last_bottom)
            goto not_alike;  /* one glyph made several characters */
        have_last = 1;
        last_left = left, last_right = right, last_bottom = bottom;
        double size = size_of(tp, i) * (double)m.d;
        double base = height - bottom;
        int flags = 0;
        name[0] = 0;  /* empty where PDFium has no font for it or the name does not fit */
        font_of(tp, i, name, sizeof name, &flags);
        name[sizeof name - 1] = 0;
        size_t len = strlen(name);
        if (!last_name || (size_t)PyBytes_GET_SIZE(last_name) != len || memcmp(PyBytes_AS_STRING(last_name), name, len)) {
            Py_XDECREF(last_name);
            last_name = PyBytes_FromStringAndSize(name, (Py_ssize_t)len);
            if (!last_name) goto fail;
        }
        PyObject *ch = PyDict_New();
        if (!ch) goto fail;
        PyObject *values[6] = {PyUnicode_FromOrdinal((int)code), PyFloat_FromDouble(left), PyFloat_FromDouble(right),
                               PyFloat_FromDouble(base - size), PyFloat_FromDouble(base), PyFloat_FromDouble(size)};
        PyObject *keys[6] = {k_text, k_x0, k_x1, k_top, k_bottom, k_size};
        int bad = 0;
        for (int k = 0; k < 6; k++) {
            if (!values[k] || PyDict_SetItem(ch, keys[k], values[k]) < 0) bad = 1;
            Py_XDECREF(values[k]);
        }
        if (bad || PyDict_SetItem(ch, k_fontname, last_name) < 0 || PyList_Append(out, ch) < 0) {
            Py_DECREF(ch);
            goto fail;
        }
        Py_DECREF(ch);
    }
    Py_XDECREF(last_name);
    return out;
not_alike:
    Py_XDECREF(last_name);
    Py_DECREF(out);
    Py_RETURN_NONE;
fail:
    Py_XDECREF(last_name);
    Py_DECREF(out);
    return NULL;
}

typedef void *(*page_object_fn)(void *, int);                  /* FPDFPage_GetObject */
typedef void *(*form_object_fn)(void *, unsigned long);        /* FPDFFormObj_GetObject */
typedef int (*object_type_fn)(void *);
typedef int (*object_bounds_fn)(void *, float *, float *, float *, float *);
typedef int (*object_marks_fn)(void *);

/* objects(parent, count, in_form, GetObject, GetType, GetBounds, CountMarks, text_kind, min_width)
 * -> [(handle, kind, bounds_ok, left, bottom, right, top, marks)] for the parent's objects
 * 0..count-1 (a page's, or a form object's when in_form) that pdf_pdfium has to look at: all but
 * the text objects with bounds at least min_width wide and no marks (which it passes over);
 * bounds and marks are of text objects only. */
static PyObject *objects(PyObject *self, PyObject *args) {
    unsigned long long parent_addr, f_get, f_type, f_bounds, f_marks;
    int count, in_form, text_kind;
    double min_width;
    if (!PyArg_ParseTuple(args, "KipKKKKid", &parent_addr, &count, &in_form, &f_get, &f_type, &f_bounds,
                          &f_marks, &text_kind, &min_width))
        return NULL;
    if (!parent_addr || !f_get || !f_type || !f_bounds || !f_marks) {
        PyErr_SetString(PyExc_ValueError, "a null page, form or PDFium function");
        return NULL;
    }
    void *parent = (void *)(uintptr_t)parent_addr;
    object_type_fn type_of = (object_type_fn)(uintptr_t)f_type;
    object_bounds_fn bounds_of = (object_bounds_fn)(uintptr_t)f_bounds;
    object_marks_fn marks_of = (object_marks_fn)(uintptr_t)f_marks;

    PyObject *out = PyList_New(0);
    if (!out) return NULL;
    for (int i = 0; i < count; i++) {
        void *obj = in_form ? ((form_object_fn)(uintptr_t)f_get)(parent, (unsigned long)i)
                            : ((page_object_fn)(uintptr_t)f_get)(parent, i);
        int kind = obj ? type_of(obj) : 0;
        int ok = 0, marks = 0;
        float left = 0, bottom = 0, right = 0, top = 0;
        if (obj && kind == text_kind) {
            ok = bounds_of(obj, &left, &bottom, &right, &top);
            marks = marks_of(obj);
            /* the width as Python computes it: the difference of the two edges, in double */
            if (ok && !marks && !((double)right - (double)left < min_width)) continue;
        }
        PyObject *item = Py_BuildValue("(Kiiddddi)", (unsigned long long)(uintptr_t)obj, kind, ok, (double)left,
                                       (double)bottom, (double)right, (double)top, marks);
        if (!item || PyList_Append(out, item) < 0) {
            Py_XDECREF(item);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(item);
    }
    return out;
}

static PyMethodDef methods[] = {
    {"page_chars", page_chars, METH_VARARGS, "A text page's characters as pdfplumber gives them, or None."},
    {"objects", objects, METH_VARARGS, "A page's or form's objects: handle, type, and for text its bounds and marks."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pdfium_loops",
                                    "PDFium's per-character and per-object answers, gathered in C.", -1, methods};

PyMODINIT_FUNC PyInit__pdfium_loops(void) {
    const char *names[7] = {"text", "x0", "x1", "top", "bottom", "size", "fontname"};
    PyObject **keys[7] = {&k_text, &k_x0, &k_x1, &k_top, &k_bottom, &k_size, &k_fontname};
    for (int k = 0; k < 7; k++)
        if (!(*keys[k] = PyUnicode_InternFromString(names[k]))) return NULL;
    return PyModule_Create(&module);
}
