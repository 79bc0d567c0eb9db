(function(){
var find=document.getElementById("find"),district=document.getElementById("district"),shown=document.getElementById("shown");
var sections=document.querySelectorAll("section.district"),total=document.querySelectorAll("[data-ps]").length;
function apply(){var q=find.value.trim().toLowerCase(),dc=district.value,n=0,last=null;
sections.forEach(function(sec){var any=false;sec.querySelectorAll("[data-ps]").forEach(function(ps){
var ok=(!dc||sec.dataset.district===dc)&&(!q||ps.querySelector(".who").textContent.toLowerCase().indexOf(q)>=0);
ps.hidden=!ok;if(ok){any=true;n++;last=ps;}});sec.hidden=!any;});
shown.textContent=n+" / "+total;if(n===1&&q&&last.tagName==="DETAILS"){last.open=true;}}
var h=new URLSearchParams(location.hash.slice(1));
if(h.has("find"))find.value=h.get("find");if(h.has("district"))district.value=h.get("district");
find.addEventListener("input",apply);district.addEventListener("change",apply);apply();
})();
