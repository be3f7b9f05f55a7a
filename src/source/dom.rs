//! A lean HTML5 tree for reading a page's text: html5ever's tree builder (the WHATWG parsing
//! algorithm, error recovery included) writing into an arena of small nodes that keep only what
//! the reader uses: element names, the `colspan`/`rowspan` of table cells, and text.
//!
//! A general-purpose DOM keeps every attribute, its class and id sets, and 8-byte links; a page
//! of tens of megabytes then takes seven bytes of tree per byte of HTML. Here a node is about 56
//! bytes, and the tree is walked without recursion ([`NodeRef::traverse`]): how deep a page
//! nests is the page's to choose.

use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{ns, Attribute, QualName};
use std::borrow::Cow;
use std::cell::{Ref, RefCell};

/// A node's index in its tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(u32);

impl NodeId {
    /// The node's index, for tables kept beside the tree.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// No node (an absent link).
const NONE: u32 = u32::MAX;

/// What a node is.
#[derive(Debug)]
pub enum Node {
    /// The document (the root).
    Document,
    /// An element.
    Element(Element),
    /// Text (adjacent text is joined into one node, as the tree builder asks).
    Text(StrTendril),
    /// A comment, doctype, processing instruction or a template's contents: no text of the
    /// page (a template's contents are its children all the same).
    Other,
}

/// An element: its name, and the spans of a table cell.
#[derive(Debug)]
pub struct Element {
    name: QualName,
    /// `colspan` read as a span (1 to 100), 0 when the element has none.
    colspan: u8,
    /// `rowspan`, likewise.
    rowspan: u8,
}

impl Element {
    /// The element's local name (lower case for HTML elements).
    pub fn name(&self) -> &str {
        &self.name.local
    }

    /// The `colspan` or `rowspan` of a cell: its value read as a number from 1 to 100, 1 when it
    /// is absent or unreadable; `None` for any other attribute name.
    pub fn span(&self, attr: &str) -> Option<usize> {
        let v = match attr {
            "colspan" => self.colspan,
            "rowspan" => self.rowspan,
            _ => return None,
        };
        Some(usize::from(v.max(1)))
    }

    /// An HTML `template` element.
    fn is_template(&self) -> bool {
        self.name.ns == ns!(html) && &*self.name.local == "template"
    }

    /// Sets the spans the attributes give, where not set yet.
    fn add_spans(&mut self, attrs: &[Attribute]) {
        for a in attrs {
            if a.name.prefix.is_some() || a.name.ns != ns!() {
                continue;
            }
            let slot = match &*a.name.local {
                "colspan" => &mut self.colspan,
                "rowspan" => &mut self.rowspan,
                _ => continue,
            };
            if *slot == 0 {
                // As a number of cells: unreadable is 1, and at most 100.
                let n: usize = a.value.trim().parse().unwrap_or(1);
                *slot = n.clamp(1, 100) as u8;
            }
        }
    }
}

#[derive(Debug)]
struct Slot {
    parent: u32,
    prev: u32,
    next: u32,
    first: u32,
    last: u32,
    node: Node,
}

/// A parsed page.
#[derive(Debug)]
pub struct Dom {
    nodes: Vec<Slot>,
}

impl Dom {
    /// Parses a page as the HTML5 algorithm does (never fails: any text is a page).
    pub fn parse(html: &str) -> Dom {
        // About a node per tag and one per text between tags: sized first, so that a large
        // page's tree is not copied as it doubles (untouched capacity costs no memory).
        let tags = html.bytes().filter(|&b| b == b'<').count();
        let sink = Sink::with_capacity(tags.saturating_mul(2).saturating_add(8));
        html5ever::parse_document(sink, Default::default()).one(html)
    }

    /// The document node.
    pub fn root(&self) -> NodeRef<'_> {
        NodeRef { dom: self, id: 0 }
    }

    /// How many nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Only the document node (never true of a parsed page, which has `html`, `head`, `body`).
    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }

    fn link(id: u32) -> Option<u32> {
        (id != NONE).then_some(id)
    }
}

/// A node of a tree, to read.
#[derive(Debug, Clone, Copy)]
pub struct NodeRef<'a> {
    dom: &'a Dom,
    id: u32,
}

impl PartialEq for NodeRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && std::ptr::eq(self.dom, other.dom)
    }
}

/// Entering or leaving a node in a walk of the tree.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Edge<'a> {
    /// Before the node's children.
    Open(NodeRef<'a>),
    /// After them.
    Close(NodeRef<'a>),
}

impl<'a> NodeRef<'a> {
    fn slot(&self) -> &'a Slot {
        &self.dom.nodes[self.id as usize]
    }

    fn at(&self, id: u32) -> Option<NodeRef<'a>> {
        Dom::link(id).map(|id| NodeRef { dom: self.dom, id })
    }

    /// The node's id.
    pub fn id(&self) -> NodeId {
        NodeId(self.id)
    }

    /// What the node is.
    pub fn value(&self) -> &'a Node {
        &self.slot().node
    }

    /// Its first child.
    pub fn first_child(&self) -> Option<NodeRef<'a>> {
        self.at(self.slot().first)
    }

    /// Its next sibling.
    pub fn next_sibling(&self) -> Option<NodeRef<'a>> {
        self.at(self.slot().next)
    }

    /// Its parent.
    pub fn parent(&self) -> Option<NodeRef<'a>> {
        self.at(self.slot().parent)
    }

    /// Its children, in order.
    pub fn children(&self) -> impl Iterator<Item = NodeRef<'a>> + 'a {
        std::iter::successors(self.first_child(), |n| n.next_sibling())
    }

    /// Entering and leaving this node and every node below it, in document order.
    pub fn traverse(&self) -> Traverse<'a> {
        Traverse {
            root: *self,
            next: Some(Edge::Open(*self)),
        }
    }

    /// This node and every node below it, in document order.
    pub fn descendants(&self) -> impl Iterator<Item = NodeRef<'a>> + 'a {
        self.traverse().filter_map(|e| match e {
            Edge::Open(n) => Some(n),
            Edge::Close(_) => None,
        })
    }
}

/// A walk of a subtree ([`NodeRef::traverse`]), without recursion.
#[derive(Debug, Clone)]
pub struct Traverse<'a> {
    root: NodeRef<'a>,
    next: Option<Edge<'a>>,
}

impl<'a> Iterator for Traverse<'a> {
    type Item = Edge<'a>;

    fn next(&mut self) -> Option<Edge<'a>> {
        let edge = self.next?;
        self.next = match edge {
            Edge::Open(n) => Some(match n.first_child() {
                Some(c) => Edge::Open(c),
                None => Edge::Close(n),
            }),
            Edge::Close(n) if n == self.root => None,
            Edge::Close(n) => match n.next_sibling() {
                Some(s) => Some(Edge::Open(s)),
                None => n.parent().map(Edge::Close),
            },
        };
        Some(edge)
    }
}

/// The tree builder's side of the tree: an arena behind a cell (the builder's calls take `&self`).
/// A `template` element's contents are the node made right after it (its id plus one), so they
/// are found without a search: a page of a hundred thousand templates stays linear.
#[derive(Debug)]
struct Sink {
    dom: RefCell<Dom>,
}

impl Sink {
    fn with_capacity(nodes: usize) -> Sink {
        let mut all = Vec::with_capacity(nodes.max(1));
        all.push(Slot::new(Node::Document));
        Sink {
            dom: RefCell::new(Dom { nodes: all }),
        }
    }
}

impl Slot {
    fn new(node: Node) -> Slot {
        Slot {
            parent: NONE,
            prev: NONE,
            next: NONE,
            first: NONE,
            last: NONE,
            node,
        }
    }
}

impl Dom {
    fn add(&mut self, node: Node) -> u32 {
        // A page the input limit admits has far fewer nodes than 2^32 (one per byte at most).
        let id = u32::try_from(self.nodes.len()).unwrap_or(NONE - 1);
        self.nodes.push(Slot::new(node));
        id
    }

    fn detach(&mut self, id: u32) {
        let (parent, prev, next) = {
            let s = &self.nodes[id as usize];
            (s.parent, s.prev, s.next)
        };
        if parent == NONE {
            return;
        }
        match Dom::link(prev) {
            Some(p) => self.nodes[p as usize].next = next,
            None => self.nodes[parent as usize].first = next,
        }
        match Dom::link(next) {
            Some(n) => self.nodes[n as usize].prev = prev,
            None => self.nodes[parent as usize].last = prev,
        }
        let s = &mut self.nodes[id as usize];
        s.parent = NONE;
        s.prev = NONE;
        s.next = NONE;
    }

    fn append_child(&mut self, parent: u32, id: u32) {
        self.detach(id);
        let last = self.nodes[parent as usize].last;
        {
            let s = &mut self.nodes[id as usize];
            s.parent = parent;
            s.prev = last;
        }
        match Dom::link(last) {
            Some(l) => self.nodes[l as usize].next = id,
            None => self.nodes[parent as usize].first = id,
        }
        self.nodes[parent as usize].last = id;
    }

    fn insert_before(&mut self, sibling: u32, id: u32) {
        self.detach(id);
        let (parent, prev) = {
            let s = &self.nodes[sibling as usize];
            (s.parent, s.prev)
        };
        {
            let s = &mut self.nodes[id as usize];
            s.parent = parent;
            s.prev = prev;
            s.next = sibling;
        }
        self.nodes[sibling as usize].prev = id;
        match Dom::link(prev) {
            Some(p) => self.nodes[p as usize].next = id,
            None => self.nodes[parent as usize].first = id,
        }
    }

    /// Text to place after the node `at`: joined to it when it is a text node (nothing to
    /// place then), else a new text node to place.
    fn text_after(&mut self, at: u32, text: StrTendril) -> Option<u32> {
        match Dom::link(at).map(|i| &mut self.nodes[i as usize].node) {
            Some(Node::Text(t)) => {
                t.push_tendril(&text);
                None
            }
            _ => Some(self.add(Node::Text(text))),
        }
    }
}

impl TreeSink for Sink {
    type Handle = u32;
    type Output = Dom;
    type ElemName<'a> = Ref<'a, QualName>;

    fn finish(self) -> Dom {
        self.dom.into_inner()
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> u32 {
        0
    }

    fn elem_name<'a>(&'a self, target: &'a u32) -> Ref<'a, QualName> {
        Ref::map(self.dom.borrow(), |d| {
            match &d.nodes[*target as usize].node {
                Node::Element(e) => &e.name,
                // The tree builder asks only of elements it made.
                _ => unreachable!("elem_name of a node that is no element"),
            }
        })
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, _: ElementFlags) -> u32 {
        let mut e = Element {
            name,
            colspan: 0,
            rowspan: 0,
        };
        let template = e.is_template();
        e.add_spans(&attrs);
        let mut dom = self.dom.borrow_mut();
        let id = dom.add(Node::Element(e));
        if template {
            let contents = dom.add(Node::Other);
            dom.append_child(id, contents);
        }
        id
    }

    fn create_comment(&self, _text: StrTendril) -> u32 {
        self.dom.borrow_mut().add(Node::Other)
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> u32 {
        self.dom.borrow_mut().add(Node::Other)
    }

    fn append(&self, parent: &u32, child: NodeOrText<u32>) {
        let mut dom = self.dom.borrow_mut();
        match child {
            NodeOrText::AppendNode(id) => dom.append_child(*parent, id),
            NodeOrText::AppendText(text) => {
                let last = dom.nodes[*parent as usize].last;
                if let Some(id) = dom.text_after(last, text) {
                    dom.append_child(*parent, id);
                }
            }
        }
    }

    fn append_based_on_parent_node(&self, element: &u32, prev: &u32, child: NodeOrText<u32>) {
        let has_parent = self.dom.borrow().nodes[*element as usize].parent != NONE;
        if has_parent {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev, child);
        }
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {
        let mut dom = self.dom.borrow_mut();
        let id = dom.add(Node::Other);
        dom.append_child(0, id);
    }

    fn get_template_contents(&self, target: &u32) -> u32 {
        // The tree builder asks only of templates, each made with its contents right after it;
        // should it ask of anything else, the element itself is a safe answer.
        let contents = target.saturating_add(1);
        let dom = self.dom.borrow();
        match (
            dom.nodes.get(*target as usize).map(|s| &s.node),
            dom.nodes.get(contents as usize).map(|s| &s.node),
        ) {
            (Some(Node::Element(e)), Some(Node::Other)) if e.is_template() => contents,
            _ => *target,
        }
    }

    fn same_node(&self, x: &u32, y: &u32) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &u32, new_node: NodeOrText<u32>) {
        let mut dom = self.dom.borrow_mut();
        if let NodeOrText::AppendNode(id) = new_node {
            dom.detach(id);
        }
        if dom.nodes[*sibling as usize].parent == NONE {
            return;
        }
        match new_node {
            NodeOrText::AppendNode(id) => dom.insert_before(*sibling, id),
            NodeOrText::AppendText(text) => {
                let prev = dom.nodes[*sibling as usize].prev;
                if let Some(id) = dom.text_after(prev, text) {
                    dom.insert_before(*sibling, id);
                }
            }
        }
    }

    fn add_attrs_if_missing(&self, target: &u32, attrs: Vec<Attribute>) {
        if let Node::Element(e) = &mut self.dom.borrow_mut().nodes[*target as usize].node {
            e.add_spans(&attrs);
        }
    }

    fn remove_from_parent(&self, target: &u32) {
        self.dom.borrow_mut().detach(*target);
    }

    fn reparent_children(&self, node: &u32, new_parent: &u32) {
        let mut dom = self.dom.borrow_mut();
        while let Some(child) = Dom::link(dom.nodes[*node as usize].first) {
            dom.append_child(*new_parent, child);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree as an outline: element names, text in quotes, indented below the document.
    fn outline(dom: &Dom) -> String {
        let mut out = String::new();
        let mut depth = 0usize;
        for e in dom.root().traverse() {
            match e {
                Edge::Open(n) => {
                    let indent = "  ".repeat(depth.saturating_sub(1));
                    match n.value() {
                        Node::Element(el) => out.push_str(&format!("{indent}{}\n", el.name())),
                        Node::Text(t) => out.push_str(&format!("{indent}{:?}\n", &**t)),
                        _ => {}
                    }
                    depth += 1;
                }
                Edge::Close(_) => depth -= 1,
            }
        }
        out
    }

    #[test]
    fn misnested_markup_is_recovered_as_html5_says() {
        // The adoption agency algorithm (`<b>` closed inside `<p>`), implied `tbody`, foster
        // parenting of text found inside a table, and text joined across a comment's removal.
        let dom = Dom::parse("<p><b>a<p>b</b>c<table>x<tr><td colspan=3>1<td rowspan=x>2</table>");
        assert_eq!(
            outline(&dom),
            "html\n  head\n  body\n    p\n      b\n        \"a\"\n    p\n      b\n        \"b\"\n      \"cx\"\n      table\n        tbody\n          tr\n            td\n              \"1\"\n            td\n              \"2\"\n"
        );
        let cells: Vec<(Option<usize>, Option<usize>)> = dom
            .root()
            .descendants()
            .filter_map(|n| match n.value() {
                Node::Element(e) if e.name() == "td" => {
                    Some((e.span("colspan"), e.span("rowspan")))
                }
                _ => None,
            })
            .collect();
        assert_eq!(cells, vec![(Some(3), Some(1)), (Some(1), Some(1))]);
    }

    #[test]
    fn a_walk_enters_and_leaves_every_node_once() {
        let page = "<div>".repeat(2_000) + "x";
        let dom = Dom::parse(&page);
        let texts = dom
            .root()
            .descendants()
            .filter(|n| matches!(n.value(), Node::Text(_)))
            .count();
        assert_eq!(texts, 1);
        let edges = dom.root().traverse().count();
        assert_eq!(edges, 2 * dom.len());
    }

    #[test]
    fn many_templates_are_linear_and_keep_their_contents() {
        let page = "<template>x</template>".repeat(20_000);
        let dom = Dom::parse(&page);
        let mut inside = 0;
        for n in dom.root().descendants() {
            if let Node::Text(t) = n.value() {
                assert_eq!(&**t, "x");
                let contents = n.parent().expect("in the contents");
                assert!(matches!(contents.value(), Node::Other));
                let template = contents.parent().expect("below the template");
                assert!(matches!(template.value(), Node::Element(e) if e.name() == "template"));
                inside += 1;
            }
        }
        assert_eq!(inside, 20_000);
    }

    #[test]
    fn template_contents_stay_below_the_template() {
        let dom = Dom::parse("<template><p>inside</p></template><p>after</p>");
        let text: Vec<String> = dom
            .root()
            .descendants()
            .filter_map(|n| match n.value() {
                Node::Text(t) => Some(t.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(text, vec!["inside", "after"]);
    }
}
