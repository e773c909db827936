// TOML to json-c: parse a file with toml++ and hand C a json-c tree.
//
// This is the only C++ in the daemons. Nothing may escape it: every
// exception (toml++ parse errors when toml++ is built with exceptions, its
// failed internal checks, std::bad_alloc) is caught before the extern "C"
// boundary and turned into an error line, and every json-c reference is
// owned by a json_ref until it has been handed to its parent, so a failure
// half-way leaks nothing.

#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <string_view>

#include <json-c/json.h>
#include <json-c/printbuf.h>

// toml++ 3.3 guards some parser preconditions with assert(), and malformed
// input can break them: a table header with no name, "[" alone on a line or
// "[[[x]]]", reaches parse_key() on a character no key starts with (fixed
// upstream after 3.3, marzer/tomlplusplus#301). assert() would abort the
// daemon on a bad file and NDEBUG would let the parser run on past the
// broken precondition, so the checks stay on and throw; the shim reports a
// syntax error. This must come before the first toml++ include.
namespace {

struct toml_assert_failed {
	const char *expr;
};

[[noreturn]] void
toml_assert_fail(const char *expr)
{
	throw toml_assert_failed{ expr };
}

} // namespace

#undef NDEBUG
#undef TOML_ASSERT
#define TOML_ASSERT(expr) (static_cast<bool>(expr) ? static_cast<void>(0) : \
	toml_assert_fail(#expr))
#include <toml++/toml.h>

#include "toml.h"

namespace {

// A configuration file larger than this is a mistake (or /dev/zero).
constexpr size_t max_file_size = 16u << 20;

// Owns one json-c reference until release() hands it on.
class json_ref {
public:
	explicit json_ref(json_object *p) : p_(p)
	{
		if (p_ == nullptr)
			throw std::bad_alloc();
	}
	~json_ref() { json_object_put(p_); }
	json_ref(const json_ref &) = delete;
	json_ref &operator=(const json_ref &) = delete;

	json_object *get() const { return p_; }
	json_object *release()
	{
		json_object *p = p_;
		p_ = nullptr;
		return p;
	}

private:
	json_object *p_;
};

// Something toml++ accepts but a C string cannot carry.
struct convert_error {
	toml::source_position where;
	const char *what;
};

struct file_closer {
	void operator()(std::FILE *f) const { std::fclose(f); }
};

__attribute__((format(printf, 3, 4))) void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == nullptr || errlen == 0)
		return;
	va_start(ap, fmt);
	std::vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

// Read the whole file; false with err set if it cannot be read.
bool
read_file(const char *path, std::string &out, char *err, size_t errlen)
{
	std::unique_ptr<std::FILE, file_closer> f(std::fopen(path, "rbe"));
	char buf[8192];
	size_t n;

	if (!f) {
		set_err(err, errlen, "%s: %s", path, std::strerror(errno));
		return false;
	}
	while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
		if (n > max_file_size - out.size()) {
			set_err(err, errlen, "%s: file larger than %zu bytes",
			    path, max_file_size);
			return false;
		}
		out.append(buf, n);
	}
	if (std::ferror(f.get())) {
		set_err(err, errlen, "%s: %s", path, std::strerror(errno));
		return false;
	}
	return true;
}

// Print a float in its shortest form that reads back the same ("0.7", not
// json-c's "0.69999999999999996"), still looking like a float ("1000.0").
int
print_double(json_object *o, printbuf *pb, int, int)
{
	double d = json_object_get_double(o);
	char buf[64];
	std::to_chars_result r;
	std::string_view s;

	// No JSON form; json-c's spelling, which config.c refuses anyway.
	if (std::isnan(d))
		return printbuf_memappend(pb, "NaN", 3);
	if (std::isinf(d))
		return d > 0 ? printbuf_memappend(pb, "Infinity", 8) :
		    printbuf_memappend(pb, "-Infinity", 9);
	r = std::to_chars(buf, buf + sizeof buf - 2, d);
	if (r.ec != std::errc())
		return -1;
	s = std::string_view(buf, static_cast<size_t>(r.ptr - buf));
	if (s.find_first_of(".e") == std::string_view::npos) {
		*r.ptr++ = '.';
		*r.ptr++ = '0';
	}
	return printbuf_memappend(pb, buf, static_cast<int>(r.ptr - buf));
}

// The line goes in json-c's userdata slot, which a serializer shares.
void
set_line(json_object *o, const toml::node &n)
{
	void *line = reinterpret_cast<void *>(
	    static_cast<uintptr_t>(n.source().begin.line));

	if (json_object_is_type(o, json_type_double))
		json_object_set_serializer(o, print_double, line, nullptr);
	else
		json_object_set_userdata(o, line, nullptr);
}

json_object *convert(const toml::node &n);

json_object *
convert_string(const toml::node &n, std::string_view s)
{
	// json-c takes the length as an int.
	if (s.size() > INT_MAX)
		throw convert_error{ n.source().begin, "string too long" };
	return json_object_new_string_len(s.data(), static_cast<int>(s.size()));
}

// Dates and times keep their TOML spelling, e.g. "1979-05-27T07:32:00Z".
template <typename T>
json_object *
convert_datetime(const T &v)
{
	std::ostringstream os;

	os << v;
	return json_object_new_string(os.str().c_str());
}

json_object *
convert_table(const toml::table &t)
{
	json_ref obj(json_object_new_object());

	for (auto &&[k, v] : t) {
		std::string key(k.str());

		// A key with a NUL would be cut short in C and could collide.
		if (key.find('\0') != std::string::npos)
			throw convert_error{ k.source().begin,
			    "key contains a NUL character" };
		json_ref child(convert(v));
		if (json_object_object_add(obj.get(), key.c_str(),
		    child.get()) != 0)
			throw std::bad_alloc();
		child.release();
	}
	return obj.release();
}

json_object *
convert_array(const toml::array &a)
{
	json_ref arr(json_object_new_array());

	for (const toml::node &v : a) {
		json_ref child(convert(v));
		if (json_object_array_add(arr.get(), child.get()) != 0)
			throw std::bad_alloc();
		child.release();
	}
	return arr.release();
}

json_object *
convert_value(const toml::node &n)
{
	switch (n.type()) {
	case toml::node_type::table:
		return convert_table(*n.as_table());
	case toml::node_type::array:
		return convert_array(*n.as_array());
	case toml::node_type::string:
		return convert_string(n, n.as_string()->get());
	case toml::node_type::integer:
		return json_object_new_int64(n.as_integer()->get());
	case toml::node_type::floating_point:
		return json_object_new_double(n.as_floating_point()->get());
	case toml::node_type::boolean:
		return json_object_new_boolean(n.as_boolean()->get());
	case toml::node_type::date:
		return convert_datetime(n.as_date()->get());
	case toml::node_type::time:
		return convert_datetime(n.as_time()->get());
	case toml::node_type::date_time:
		return convert_datetime(n.as_date_time()->get());
	case toml::node_type::none:
		break;
	}
	throw convert_error{ n.source().begin, "value of unknown type" };
}

// One node and everything below it, each stamped with its source line.
json_object *
convert(const toml::node &n)
{
	json_ref o(convert_value(n));

	set_line(o.get(), n);
	return o.release();
}

void
report_parse_error(const char *path, const toml::parse_error &e, char *err,
    size_t errlen)
{
	std::string_view what = e.description();
	const toml::source_position &at = e.source().begin;

	set_err(err, errlen, "%s:%u:%u: %.*s", path, at.line, at.column,
	    static_cast<int>(what.size()), what.data());
}

bool
is_key_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '"' ||
	    c == '\'';
}

// Whether parsing this text alone fails the toml++ check too.
bool
check_fails(std::string_view text)
{
	try {
		(void)toml::parse(text);
	} catch (const toml_assert_failed &) {
		return true;
	} catch (...) {
	}
	return false;
}

// After a failed toml++ check: find the table header with no name ("[" or
// "[[" followed by no key), the one case known to trip it. A "[" opening a
// line may also be part of a multi-line array, so a candidate counts only
// if the text up to the end of its line fails the same way.
void
report_failed_check(const char *path, const std::string &doc,
    const toml_assert_failed &e, char *err, size_t errlen)
{
	size_t		i = 0, eol, p, q;
	unsigned	line = 1, tries = 0;

	for (; i < doc.size() && tries < 64; i = eol + 1, line++) {
		if ((eol = doc.find('\n', i)) == std::string::npos)
			eol = doc.size();
		p = doc.find_first_not_of(" \t", i);
		if (p >= eol || doc[p] != '[')
			continue;
		q = p + 1 < eol && doc[p + 1] == '[' ? p + 2 : p + 1;
		q = doc.find_first_not_of(" \t", q);
		if (q < eol && is_key_start(doc[q]))
			continue;
		tries++;
		if (check_fails(std::string_view(doc).substr(0, eol + 1))) {
			set_err(err, errlen, "%s:%u:%zu: expected a table name "
			    "after '['", path, line, p - i + 1);
			return;
		}
	}
	set_err(err, errlen, "%s: TOML syntax error the parser cannot place "
	    "(toml++ check failed: %s)", path, e.expr);
}

// Parse doc and convert it; NULL with err set on any problem in the text.
json_object *
parse_document(const std::string &doc, const char *path, char *err,
    size_t errlen)
{
#if TOML_EXCEPTIONS
	toml::table root;

	try {
		root = toml::parse(doc, std::string_view(path));
	} catch (const toml::parse_error &e) {
		report_parse_error(path, e, err, errlen);
		return nullptr;
	} catch (const toml_assert_failed &e) {
		report_failed_check(path, doc, e, err, errlen);
		return nullptr;
	}
#else
	toml::parse_result result;

	try {
		result = toml::parse(doc, std::string_view(path));
	} catch (const toml_assert_failed &e) {
		report_failed_check(path, doc, e, err, errlen);
		return nullptr;
	}
	if (!result) {
		report_parse_error(path, result.error(), err, errlen);
		return nullptr;
	}
	const toml::table &root = result.table();
#endif
	try {
		return convert(root);
	} catch (const convert_error &e) {
		set_err(err, errlen, "%s:%u:%u: %s", path, e.where.line,
		    e.where.column, e.what);
		return nullptr;
	}
}

} // namespace

extern "C" json_object *
toml_parse_file(const char *path, char *err, size_t errlen)
{
	try {
		std::string doc;

		if (!read_file(path, doc, err, errlen))
			return nullptr;
		return parse_document(doc, path, err, errlen);
	} catch (const std::bad_alloc &) {
		set_err(err, errlen, "%s: out of memory", path);
	} catch (const std::exception &e) {
		set_err(err, errlen, "%s: %s", path, e.what());
	} catch (...) {
		set_err(err, errlen, "%s: unexpected error while parsing", path);
	}
	return nullptr;
}

extern "C" int
toml_line(json_object *node)
{
	uintptr_t line;

	if (node == nullptr)
		return 0;
	line = reinterpret_cast<uintptr_t>(json_object_get_userdata(node));
	return line > INT_MAX ? 0 : static_cast<int>(line);
}
