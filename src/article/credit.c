#include "article/credit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/text.h"

/*
 * Agencies and picture desks in their usual spelling.  Matching ignores
 * case; the first column is what may appear in a credit.
 */
static const struct {
	const char *match;
	const char *name;
} agencies[] = {
	{ "Reuters", "Reuters" },
	{ "Thomson Reuters", "Reuters" },
	{ "AFP", "AFP" },
	{ "Agence France-Presse", "AFP" },
	{ "Agence France Presse", "AFP" },
	{ "AP", "AP" },
	{ "Associated Press", "AP" },
	{ "The Associated Press", "AP" },
	{ "EPA", "EPA" },
	{ "EPA-EFE", "EPA-EFE" },
	{ "EFE", "EFE" },
	{ "Getty Images", "Getty Images" },
	{ "Getty", "Getty Images" },
	{ "Sputnik", "Sputnik" },
	{ "RIA Novosti", "RIA Novosti" },
	{ "TASS", "TASS" },
	{ "ITAR-TASS", "TASS" },
	{ "Xinhua", "Xinhua" },
	{ "Bloomberg", "Bloomberg" },
	{ "PA", "PA" },
	{ "PA Images", "PA" },
	{ "PA Wire", "PA" },
	{ "PA Media", "PA" },
	{ "ANP", "ANP" },
	{ "dpa", "dpa" },
	{ "UPI", "UPI" },
	{ "Anadolu", "Anadolu" },
	{ "Anadolu Agency", "Anadolu" },
	{ "Shutterstock", "Shutterstock" },
	{ "Rex", "Shutterstock" },
	{ "Rex Features", "Shutterstock" },
	{ "AAP", "AAP" },
	{ "Kyodo", "Kyodo" },
	{ "Yonhap", "Yonhap" },
	{ "Alamy", "Alamy" },
	{ "NurPhoto", "NurPhoto" },
	{ "SIPA", "SIPA" },
	{ "Sipa USA", "SIPA" },
	{ "ZUMA Press", "ZUMA Press" },
	{ "ZUMA Wire", "ZUMA Press" },
	{ "Imago", "Imago" },
	{ "ANSA", "ANSA" },
	{ "KCNA", "KCNA" },
	{ "Ukrinform", "Ukrinform" },
	{ "NTB", "NTB" },
	{ "Scanpix", "Scanpix" },
	{ "Keystone", "Keystone" },
	{ "Belga", "Belga" },
	{ "Pool", "Pool" },
	{ "NASA", "NASA" },
	{ "Wikimedia Commons", "Wikimedia Commons" },
	{ "Handout", "Handout" },
	{ "picture alliance", "picture alliance" },
	{ "picture-alliance", "picture alliance" },
	{ "KNS", "KNS" },
};

/* Fragments that page templates glue onto credits or leave as lines. */
static const char *debris[] = {
	"Go to the mediabank", "Subscribe", "All rights reserved", "Share",
	"Advertisement", "Read more", "Read More", "Click to enlarge",
	"Enlarge this image", "Show caption", "Hide caption", "Toggle caption",
	"View image in fullscreen", "Share on Facebook", "Share on Twitter",
	"Skip Advertisement", "Continue reading", "Open gallery", "Close",
};

static const char *markers[] = {
	"Photo credit:", "Photograph:", "Photographs:", "Photo:", "Photos:",
	"Picture:", "Pictures:", "Image:", "Images:", "Credit:", "Foto:",
	"Fotos:", "Bild:", "Photograph by", "Photographs by", "Photography by", "Photography:",
	"Photo by", "Photos by", "Picture by", "Image by",
	"Copyright", "(c)", "(C)", "©", "Composite:", "Illustration:", "Graphic:",
};

static size_t skip_space(const char *s, size_t len, size_t i)
{
	while (i < len && (nx_isspace((unsigned char)s[i]) || (unsigned char)s[i] == 0xC2)) {
		/* NBSP is C2 A0 */
		if ((unsigned char)s[i] == 0xC2) {
			if (i + 1 < len && (unsigned char)s[i + 1] == 0xA0)
				i++;
			else
				break;
		}
		i++;
	}
	return i;
}

size_t nx_credit_marker(const char *s, size_t len)
{
	size_t i = 0, n = 0;

	for (i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
		n = strlen(markers[i]);
		if (len < n || !nx_strncaseeq(s, markers[i], n))
			continue;
		/* word markers must end at a word boundary */
		if (nx_isalpha((unsigned char)markers[i][n - 1]) && n < len &&
		    nx_isalnum((unsigned char)s[n]))
			continue;
		return skip_space(s, len, n);
	}
	return 0;
}

const char *nx_agency_canonical(const char *s, size_t len)
{
	size_t i = 0;

	while (len > 0 && (nx_isspace((unsigned char)s[len - 1]) || s[len - 1] == '.'))
		len--;
	while (len > 0 && nx_isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	for (i = 0; i < sizeof(agencies) / sizeof(agencies[0]); i++) {
		if (strlen(agencies[i].match) == len && nx_strncaseeq(s, agencies[i].match, len))
			return agencies[i].name;
	}
	return NULL;
}

/* Lower-case a code point for the scripts we recapitalise. */
static uint32_t uni_lower(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if ((c >= 0xC0 && c <= 0xDE && c != 0xD7))
		return c + 32;
	if (c >= 0x100 && c <= 0x17F && (c & 1) == 0 && c != 0x130 && c != 0x138)
		return c + 1;
	if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2)
		return c + 32;
	if (c >= 0x410 && c <= 0x42F)
		return c + 32;
	if (c >= 0x400 && c <= 0x40F)
		return c + 80;
	return c;
}

static int uni_islower(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 0xDF && c <= 0xFF && c != 0xF7) ||
	       (c >= 0x100 && c <= 0x17F && (c & 1) == 1) || (c >= 0x3AC && c <= 0x3CE) ||
	       (c >= 0x430 && c <= 0x45F);
}

static int uni_isupper(uint32_t c)
{
	return uni_lower(c) != c;
}

static int all_caps(const char *s, size_t len)
{
	size_t i = 0, n = 0;
	uint32_t cp = 0;
	int upper = 0;

	while (i < len) {
		n = nx_utf8_decode(s + i, len - i, &cp);
		i += n;
		if (uni_islower(cp))
			return 0;
		if (uni_isupper(cp))
			upper++;
	}
	return upper >= 2;
}

static int is_particle(const char *w, size_t n)
{
	static const char *p[] = { "de", "da", "di", "del", "der", "van", "von", "den", "du", "la", "le", "bin", "ibn", "y" };
	size_t i = 0;

	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		if (strlen(p[i]) == n && nx_strncaseeq(w, p[i], n))
			return 1;
	return 0;
}

char *nx_name_case(const char *s, size_t len)
{
	nx_buf b = NX_BUF_INIT;
	size_t i = 0, n = 0, wstart = 0;
	uint32_t cp = 0;
	int word_pos = 0, first_word = 1;

	if (!all_caps(s, len))
		return nx_strndup(s, len);
	while (i < len) {
		n = nx_utf8_decode(s + i, len - i, &cp);
		if (uni_isupper(cp) || uni_islower(cp)) {
			if (word_pos == 0) {
				size_t e = i;

				wstart = i;
				while (e < len && s[e] != ' ' && s[e] != '-')
					e++;
				if (!first_word && is_particle(s + wstart, e - wstart))
					cp = uni_lower(cp);
			} else {
				cp = uni_lower(cp);
				/* McDONALD -> McDonald */
				if (word_pos == 2 && i >= 2 && (s[i - 2] == 'M' || s[i - 2] == 'm') &&
				    (s[i - 1] == 'C' || s[i - 1] == 'c') && i - 2 == wstart && i + n < len &&
				    s[i + n] != ' ')
					cp = s[i];
			}
			word_pos++;
		} else {
			if (cp == ' ')
				first_word = 0;
			word_pos = 0; /* after space, hyphen, apostrophe: capital again */
		}
		nx_utf8_put(&b, cp);
		i += n;
	}
	return nx_buf_detach(&b);
}

int nx_is_debris_line(const char *s, size_t len)
{
	size_t i = 0, n = 0;

	while (len > 0 && (nx_isspace((unsigned char)s[len - 1]) || s[len - 1] == '|'))
		len--;
	while (len > 0 && (nx_isspace((unsigned char)*s) || *s == '/' || *s == '|' || *s == '>')) {
		s++;
		len--;
	}
	if (len == 0)
		return 1;
	for (i = 0; i < sizeof(debris) / sizeof(debris[0]); i++) {
		n = strlen(debris[i]);
		if (n == len && nx_strncaseeq(s, debris[i], n))
			return 1;
	}
	return 0;
}

typedef struct span {
	const char *s;
	size_t len;
} span;

static span trim(span p)
{
	while (p.len > 0 && (nx_isspace((unsigned char)*p.s) || *p.s == ',' || *p.s == ';')) {
		p.s++;
		p.len--;
	}
	/* a copyright year before the holder: "2021 The Associated Press" */
	if (p.len > 5 && nx_isdigit((unsigned char)p.s[0]) && nx_isdigit((unsigned char)p.s[1]) &&
	    nx_isdigit((unsigned char)p.s[2]) && nx_isdigit((unsigned char)p.s[3]) && p.s[4] == ' ') {
		p.s += 5;
		p.len -= 5;
	}
	while (p.len > 0 && (nx_isspace((unsigned char)p.s[p.len - 1]) || p.s[p.len - 1] == ',' ||
			     p.s[p.len - 1] == ';' || p.s[p.len - 1] == '.'))
		p.len--;
	/* a trailing full stop is part of initials ("J.") only when short */
	return p;
}

/* Split at " via " / " for " : "Name via Reuters", "Name for The Times". */
static int split_word(span p, const char *word, span *left, span *right)
{
	const char *w = nx_memcasemem(p.s, p.len, word);

	if (w == NULL)
		return 0;
	left->s = p.s;
	left->len = (size_t)(w - p.s);
	right->s = w + strlen(word);
	right->len = p.len - left->len - strlen(word);
	return 1;
}

/* Strip "Photo"/"Photos"/"Images"/"Pictures" after a known agency. */
static const char *agency_of_part(span p)
{
	static const char *suffix[] = { " Photos", " Photo", " Pictures", " Images", " Image", " Wire",
					" News" };
	const char *a = nx_agency_canonical(p.s, p.len);
	size_t i = 0, n = 0;
	span l, r;

	if (a != NULL)
		return a;
	/* "KCNA via KNS": the originating agency */
	l.s = r.s = NULL;
	l.len = r.len = 0;
	if (split_word(p, " via ", &l, &r) && (a = agency_of_part(trim(l))) != NULL)
		return a;
	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		n = strlen(suffix[i]);
		if (p.len > n && nx_strncaseeq(p.s + p.len - n, suffix[i], n)) {
			a = nx_agency_canonical(p.s, p.len - n);
			if (a != NULL)
				return a;
		}
	}
	return NULL;
}

/* A part that reads like an organisation rather than a person. */
static int looks_like_org(span p)
{
	static const char *words[] = { "images", "press", "news", "agency", "photo", "pictures",
				       "media", "ltd", "inc", "wire", "service", "archive",
				       "museum", "library", "collection", "times", "post",
				       "courtesy", "handout", "office", "ministry", "government" };
	size_t i = 0, n = 0;
	const char *w = NULL;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		n = strlen(words[i]);
		w = nx_memcasemem(p.s, p.len, words[i]);
		if (w != NULL && (w == p.s || !nx_isalpha((unsigned char)w[-1])) &&
		    (w + n == p.s + p.len || !nx_isalpha((unsigned char)w[n])))
			return 1;
	}
	/* a single all-capital acronym like "NYT" or "BBC" */
	if (p.len <= 5 && all_caps(p.s, p.len) && memchr(p.s, ' ', p.len) == NULL)
		return 1;
	return 0;
}

/*
 * A photographer is a name, not a clause: at most six words, no sentence
 * punctuation (a full stop only after an initial), words in lower case
 * only the particles of names ("de la", "van", "and").
 */
static int looks_like_name(span p)
{
	size_t i = 0, w = 0, words = 0;

	for (i = 0; i < p.len; i++) {
		unsigned char c = (unsigned char)p.s[i];

		if (c == '!' || c == '?')
			return 0;
		if (c == '.' && !(i > 0 && nx_isupper((unsigned char)p.s[i - 1]) && (i < 2 || p.s[i - 2] == ' ' ||
										    p.s[i - 2] == '.' || p.s[i - 2] == '-')))
			return 0;
	}
	for (i = 0; i <= p.len; i++) {
		if (i < p.len && p.s[i] != ' ')
			continue;
		if (i > w) {
			words++;
			if (nx_islower((unsigned char)p.s[w]) && !is_particle(p.s + w, i - w) &&
			    !(i - w == 3 && nx_strncaseeq(p.s + w, "and", 3)))
				return 0;
		}
		w = i + 1;
	}
	return words > 0 && words <= 6;
}

/* What agencies write where a photographer's name would be. */
static int not_a_name(span p)
{
	static const char *const words[] = { "str", "stringer", "staff", "file", "handout", "pool",
					     "stf", "afp photo", "ap photo", NULL };
	size_t i = 0;

	for (i = 0; words[i] != NULL; i++)
		if (strlen(words[i]) == p.len && nx_strncaseeq(p.s, words[i], p.len))
			return 1;
	return 0;
}

/* p without a parenthesised part: "Karen Blumberg (flickr.com/x)" -> "Karen Blumberg". */
static span drop_parenthetical(span p)
{
	const char *o = memchr(p.s, '(', p.len);

	if (o != NULL && o > p.s)
		p.len = (size_t)(o - p.s);
	return trim(p);
}

static int set_out(char **out, span p, int is_agency)
{
	const char *canon = NULL;

	p = trim(p);
	if (p.len == 0 || *out != NULL)
		return 0;
	if (is_agency) {
		canon = agency_of_part(p);
		if (canon != NULL) {
			*out = strdup(canon);
			return *out == NULL ? -1 : 0;
		}
		/* keep acronyms in capitals, recase long shouted names */
		if (p.len <= 5 && memchr(p.s, ' ', p.len) == NULL)
			*out = nx_strndup(p.s, p.len);
		else
			*out = nx_name_case(p.s, p.len);
	} else {
		p = drop_parenthetical(p);
		if (p.len == 0 || !looks_like_name(p) || not_a_name(p))
			return 0;
		*out = nx_name_case(p.s, p.len);
	}
	return *out == NULL ? -1 : 0;
}

/*
 * Every known agency among the parts, in order and once, joined with
 * "/": "Jane Roe/AFP/Getty Images" -> "AFP/Getty Images".  A pool or a
 * handout joins nothing.  *agency stays NULL when no part is known.
 */
static int join_agencies(const span *parts, size_t nparts, char **agency)
{
	nx_buf b = NX_BUF_INIT;
	const char *seen[8];
	size_t i = 0, k = 0, nseen = 0;

	for (i = 0; i < nparts; i++) {
		const char *c = agency_of_part(parts[i]);

		if (c == NULL)
			continue;
		for (k = 0; k < nseen && strcmp(seen[k], c) != 0; k++)
			;
		if (k < nseen || (nseen > 0 && (strcmp(c, "Pool") == 0 || strcmp(c, "Handout") == 0)))
			continue;
		seen[nseen++] = c;
		if (b.len > 0)
			nx_buf_addch(&b, '/');
		nx_buf_adds(&b, c);
	}
	if (!nx_buf_ok(&b))
		return -1;
	if (b.len > 0) {
		*agency = nx_buf_detach(&b);
		return *agency == NULL ? -1 : 0;
	}
	nx_buf_free(&b);
	return 0;
}

/* Length of a spaced dash at s (" - ", " \u2013 ", " \u2014 "), else 0. */
static size_t dash_len(const char *s, size_t len)
{
	if (len >= 3 && memcmp(s, " - ", 3) == 0)
		return 3;
	if (len >= 5 && (memcmp(s, " \xE2\x80\x93 ", 5) == 0 || memcmp(s, " \xE2\x80\x94 ", 5) == 0))
		return 5;
	return 0;
}

/*
 * Split p into parts at '/', '|' and spaced dashes outside parentheses; a known agency
 * in parentheses at the end of a part is a part of its own ("Jane Roe
 * (AP)").  Debris and bare years are dropped.  Returns the count.
 */
static size_t split_parts(span p, span *parts, size_t max)
{
	size_t i = 0, start = 0, n = 0, sep = 0;
	int depth = 0, in_url = 0;

	for (i = 0; i <= p.len && n < max; i++) {
		if (i < p.len && p.s[i] == '(')
			depth++;
		else if (i < p.len && p.s[i] == ')' && depth > 0)
			depth--;
		/* an address's slashes ("available at https://x.example/a") split nothing */
		if (i < p.len && (i == 0 || p.s[i - 1] == ' ') &&
		    (nx_startswith_ci(p.s + i, p.len - i, "http://") || nx_startswith_ci(p.s + i, p.len - i, "https://") ||
		     nx_startswith_ci(p.s + i, p.len - i, "www.")))
			in_url = 1;
		else if (i < p.len && p.s[i] == ' ')
			in_url = 0;
		sep = i < p.len ? dash_len(p.s + i, p.len - i) : 0;
		if (i < p.len && (depth > 0 || in_url || (p.s[i] != '/' && p.s[i] != '|' && sep == 0)))
			continue;
		span part = { p.s + start, i - start };
		const char *o = NULL;

		part = trim(part);
		start = i + (sep > 0 ? sep : 1);
		i = start - 1;
		if (part.len == 0 || nx_is_debris_line(part.s, part.len))
			continue;
		/* a bare year ("2021") is not a name */
		if (part.len == 4 && nx_isdigit((unsigned char)part.s[0]) && nx_isdigit((unsigned char)part.s[3]))
			continue;
		o = part.len > 2 && part.s[part.len - 1] == ')' ? memchr(part.s, '(', part.len) : NULL;
		if (o != NULL && o > part.s && n + 1 < max) {
			span in = { o + 1, (size_t)(part.s + part.len - 1 - (o + 1)) };

			if (agency_of_part(trim(in)) != NULL) {
				span name = { part.s, (size_t)(o - part.s) };

				parts[n++] = trim(name);
				part = trim(in);
			}
		}
		parts[n++] = part;
	}
	return n;
}

int nx_credit_parse(const char *s, size_t len, char **agency, char **photographer)
{
	span parts[8];
	size_t nparts = 0, i = 0, m = 0;
	int copyright_form = 0, rc = 0, ai = -1;
	span p, l, r;

	*agency = NULL;
	*photographer = NULL;
	p.s = s;
	p.len = len;
	p = trim(p);
	/* "(AP Photo/Evan Vucci)" */
	if (p.len >= 2 && p.s[0] == '(' && p.s[p.len - 1] == ')') {
		p.s++;
		p.len -= 2;
		p = trim(p);
	}
	for (;;) {
		m = nx_credit_marker(p.s, p.len);
		/* "Credit Jane Roe", "CreditJane Roe" (a credit element's own label) */
		if (m == 0 && p.len > 7 && memcmp(p.s, "Credit", 6) == 0 &&
		    (p.s[6] == ' ' || nx_isupper((unsigned char)p.s[6])))
			m = skip_space(p.s, p.len, 6);
		if (m == 0)
			break;
		if (p.s[0] == '(' || (unsigned char)p.s[0] == 0xC2 || nx_startswith_ci(p.s, p.len, "copyright"))
			copyright_form = 1;
		p.s += m;
		p.len -= m;
	}
	nparts = split_parts(p, parts, sizeof(parts) / sizeof(parts[0]));
	if (nparts == 0)
		return 0;
	if (nparts == 1) {
		p = parts[0];
		if (split_word(p, " via ", &l, &r) || split_word(p, " for ", &l, &r)) {
			if (agency_of_part(trim(l)) != NULL) {
				rc = set_out(agency, l, 1);
			} else {
				rc = set_out(photographer, l, 0);
				if (rc == 0)
					rc = set_out(agency, r, 1);
			}
		} else if (agency_of_part(p) != NULL || looks_like_org(p)) {
			rc = set_out(agency, p, 1);
		} else {
			rc = set_out(photographer, p, 0);
		}
		goto done;
	}
	/* the known agencies; else an organisation; the first other part is the photographer */
	rc = join_agencies(parts, nparts, agency);
	if (rc == 0 && *agency == NULL) {
		for (i = 0; i < nparts && ai < 0; i++)
			if (looks_like_org(parts[i]))
				ai = (int)i;
		if (ai < 0)
			ai = copyright_form ? 0 : (int)nparts - 1;
		/* "Name via Somebody": the originating one */
		if (split_word(parts[ai], " via ", &l, &r))
			rc = set_out(agency, l, 1);
		else
			rc = set_out(agency, parts[ai], 1);
	}
	/*
	 * The first other part is the photographer, or nobody when it is no
	 * name ("john Doe/Something/AP": not "Something"); "STR", "Staff"
	 * and "File" stand where a name would and are passed over.
	 */
	for (i = 0; i < nparts; i++) {
		if ((int)i == ai || agency_of_part(parts[i]) != NULL || not_a_name(drop_parenthetical(parts[i])))
			continue;
		rc = set_out(photographer, parts[i], 0);
		break;
	}
done:
	if (rc < 0) {
		free(*agency);
		free(*photographer);
		*agency = NULL;
		*photographer = NULL;
	}
	return rc;
}

size_t nx_credit_split_glued(const char *s, size_t len)
{
	size_t i = 0, m = nx_credit_marker(s, len), j = 0, n = 0;
	const char *d = NULL;

	/* debris glued to the caption: "... / Go to the mediabankRussian ..." */
	for (i = 0; i < sizeof(debris) / sizeof(debris[0]); i++) {
		d = nx_memcasemem(s + m, len - m, debris[i]);
		if (d != NULL) {
			size_t end = (size_t)(d - s) + strlen(debris[i]);

			if (end < len)
				return end;
		}
	}
	/* a lower-case letter directly followed by an upper-case one:
	   "Ramil SitdikovRussian" */
	for (i = m + 1; i < len; i++) {
		if (nx_islower((unsigned char)s[i - 1]) && nx_isupper((unsigned char)s[i]) &&
		    !(i >= 2 && s[i - 2] == 'M' && s[i - 1] == 'c'))
			return i;
	}
	/* a shouted credit glued to a sentence: "JANE DOEThe president":
	   the last capital of a run of capitals followed by a lower-case letter,
	   when the run before it is at least two capitals long */
	for (i = m; i + 1 < len; i++) {
		if (nx_isupper((unsigned char)s[i]) && nx_islower((unsigned char)s[i + 1])) {
			n = 0;
			for (j = i; j > m && nx_isupper((unsigned char)s[j - 1]); j--)
				n++;
			if (n >= 2)
				return i;
			break;
		}
	}
	return len;
}

int nx_credit_find_trailing(const char *s, size_t len, size_t *at)
{
	static const char *forms[] = { "(AP Photo", "(AFP Photo", "(Reuters", "(Photo:", "(Photo by",
				       "(Credit:", "(Picture:", "(Image:", "(©", "(Getty", "(EPA" };
	size_t i = 0, j = 0;
	const char *p = NULL;

	while (len > 0 && nx_isspace((unsigned char)s[len - 1]))
		len--;
	/* parenthesised credit at the very end */
	if (len > 0 && s[len - 1] == ')') {
		for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
			p = NULL;
			for (j = len; j-- > 0;) {
				if (s[j] == '(') {
					p = s + j;
					break;
				}
			}
			if (p != NULL && nx_startswith_ci(p, len - (size_t)(p - s), forms[i])) {
				*at = (size_t)(p - s);
				return 1;
			}
		}
	}
	/* "... sentence. Photograph: Name/Agency" or "... © Agency" near the end */
	for (j = 1; j < len; j++) {
		/* a credit starts a new sentence: "Photo:" mid-sentence is prose */
		if (s[j - 1] != ' ' || len - j > 120 || nx_islower((unsigned char)s[j]))
			continue;
		if (nx_credit_marker(s + j, len - j) > 0) {
			*at = j;
			return 1;
		}
	}
	return 0;
}
